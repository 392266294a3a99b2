import {
  DescribeImagesCommand,
  type Instance,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { type CreateMachineRequest, TrellisError, throwIfAborted } from '@trellis/core';
import { retry, systemClock } from '@trellis/provider-kit';
import type { AwsMachineClass } from './aws-machine-class.js';
import { machineClientToken, needsRootDeviceName, runInstancesInput } from './aws-machine-run-request.js';
import type { AwsProviderContext } from './aws-settings.js';
import { ec2Client } from './ec2-client.js';
import type { InstanceBatchers } from './ec2-instance-batcher.js';

const PROVIDER = 'aws';
/** How often a fresh instance is looked for before its `RunInstances` answer is taken as it is. */
const VISIBILITY_ATTEMPTS = 8;
/**
 * How many earlier lives of one machine name (VMs made by its client tokens and since terminated)
 * a create walks past. EC2 remembers a token for a while after its VM is gone; each re-create of
 * the name within that time adds one `RunInstances` call.
 */
const MAX_TOKEN_CHAIN = 20;

/** Launches one machine's VM. */
export interface MachineLauncher {
  /**
   * `RunInstances` with the machine's client token (skipping tokens whose VM is gone), then
   * source/destination checks off when asked, then waits until `DescribeInstances` sees the VM.
   */
  launch(
    request: CreateMachineRequest<AwsMachineClass>,
    spec: AwsMachineClass,
    signal?: AbortSignal,
  ): Promise<Instance>;
}

/** Creates the launcher; AMI root device names are cached per AMI. */
export function createMachineLauncher(
  context: AwsProviderContext,
  batchers: InstanceBatchers,
): MachineLauncher {
  const { api, logger } = context;
  const ec2 = () => ec2Client(context.clients);
  const rootDeviceNames = new Map<string, Promise<string | undefined>>();

  function rootDeviceName(ami: string, signal?: AbortSignal): Promise<string | undefined> {
    let known = rootDeviceNames.get(ami);
    if (!known) {
      known = api
        .call(
          'DescribeImages',
          (abortSignal) => ec2().send(new DescribeImagesCommand({ ImageIds: [ami] }), { abortSignal }),
          {
            operation: 'createMachine',
            signal,
          },
        )
        .then((output) => output.Images?.[0]?.RootDeviceName);
      rootDeviceNames.set(ami, known);
      known.catch(() => rootDeviceNames.delete(ami));
    }
    return known;
  }

  async function runInstance(
    request: CreateMachineRequest<AwsMachineClass>,
    spec: AwsMachineClass,
    signal?: AbortSignal,
  ) {
    const rootName = needsRootDeviceName(spec) ? await rootDeviceName(spec.ami, signal) : undefined;
    let previous: string | undefined;
    for (let attempt = 0; attempt < MAX_TOKEN_CHAIN; attempt++) {
      const clientToken = machineClientToken(request.cluster, request.name, previous);
      const input = runInstancesInput({ ...request, spec, clientToken, rootDeviceName: rootName });
      const output = await api.call(
        'RunInstances',
        (abortSignal) => ec2().send(new RunInstancesCommand(input), { abortSignal }),
        {
          operation: 'createMachine',
          signal,
        },
      );
      const instance = output.Instances?.[0];
      if (!instance?.InstanceId) {
        throw new TrellisError({
          code: 'Internal',
          message: 'RunInstances returned no instance',
          provider: PROVIDER,
          operation: 'createMachine',
        });
      }
      const state = instance.State?.Name;
      if (state !== 'shutting-down' && state !== 'terminated') return instance;
      // The token belongs to a VM of an earlier life of this machine: take the next token.
      previous = instance.InstanceId;
    }
    throw new TrellisError({
      code: 'Unavailable',
      message: `machine ${request.name}: every client token maps to a terminated VM`,
      provider: PROVIDER,
      operation: 'createMachine',
    });
  }

  async function disableSourceDestCheck(instanceId: string, signal?: AbortSignal): Promise<void> {
    // A new instance can be unknown to the next call for a moment (EC2 is eventually consistent).
    await retry(
      () =>
        api.call(
          'ModifyInstanceAttribute',
          (abortSignal) =>
            ec2().send(
              new ModifyInstanceAttributeCommand({
                InstanceId: instanceId,
                SourceDestCheck: { Value: false },
              }),
              { abortSignal },
            ),
          { operation: 'createMachine', signal },
        ),
      {
        attempts: VISIBILITY_ATTEMPTS,
        baseDelayMs: 200,
        maxDelayMs: 100 * 2 ** VISIBILITY_ATTEMPTS,
        decide: (error, attempt) =>
          TrellisError.hasCode(error, 'NotFound')
            ? { retry: true, afterMs: 100 * 2 ** attempt }
            : { retry: false },
        signal,
        context: { provider: PROVIDER, operation: 'createMachine' },
      },
    );
  }

  async function awaitVisible(instance: Instance, signal?: AbortSignal): Promise<Instance> {
    for (let attempt = 1; attempt <= VISIBILITY_ATTEMPTS; attempt++) {
      const seen = await batchers.byId.get(instance.InstanceId!, signal);
      if (seen) return seen;
      throwIfAborted(signal, { provider: PROVIDER, operation: 'createMachine' });
      await systemClock.sleep(Math.min(2_000, 50 * 2 ** attempt), signal);
    }
    logger.warn(
      { provider: PROVIDER, instanceId: instance.InstanceId },
      'new instance not yet visible in DescribeInstances',
    );
    return instance;
  }

  return {
    async launch(request, spec, signal) {
      const launched = await runInstance(request, spec, signal);
      logger.info(
        {
          provider: PROVIDER,
          cluster: request.cluster,
          machine: request.name,
          instanceId: launched.InstanceId,
        },
        'machine created',
      );
      if (spec.srcAndDstChecksEnabled === false) await disableSourceDestCheck(launched.InstanceId!, signal);
      return awaitVisible(launched, signal);
    },
  };
}
