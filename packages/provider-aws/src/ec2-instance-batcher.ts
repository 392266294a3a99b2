import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type Instance,
} from '@aws-sdk/client-ec2';
import { NAME_TAG, TrellisError, throwIfAborted } from '@trellis/core';
import { KeyedBatcher, paginate } from '@trellis/provider-kit';
import { awsErrorCode } from './aws-errors.js';
import { LIVE_INSTANCE_STATES, ownershipFilters, tagRecord } from './aws-machine-instance.js';
import type { AwsProviderContext } from './aws-settings.js';
import { ec2Client } from './ec2-client.js';

/** The ids named by EC2's `InvalidInstanceID.NotFound` message ("The instance IDs 'i-1, i-2' do not exist"). */
export function missingInstanceIds(error: unknown): string[] | undefined {
  const cause = TrellisError.isInstance(error) ? error.cause : error;
  if (awsErrorCode(cause) !== 'InvalidInstanceID.NotFound') return undefined;
  const message = (cause as { message?: string }).message ?? '';
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const ids = quoted?.split(/[\s,]+/).filter((id) => /^i-[0-9a-zA-Z]+$/.test(id));
  return ids && ids.length > 0 ? ids : undefined;
}

/** Every instance a `DescribeInstances` query matches, page after page (the kit's `paginate`). */
export function describeInstances(
  context: AwsProviderContext,
  input: DescribeInstancesCommandInput,
  options: { operation: string; signal?: AbortSignal | undefined },
): AsyncGenerator<Instance> {
  return paginate({
    fetchPage: async (token) => {
      throwIfAborted(options.signal, { provider: 'aws', operation: options.operation });
      const command = new DescribeInstancesCommand({ ...input, NextToken: token });
      const output = await context.api.call(
        'DescribeInstances',
        (abortSignal) => ec2Client(context.clients).send(command, { abortSignal }),
        options,
      );
      return {
        items: (output.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []),
        next: output.NextToken,
      };
    },
    context: { provider: 'aws', operation: options.operation },
  });
}

async function describeAll(
  context: AwsProviderContext,
  input: DescribeInstancesCommandInput,
  operation: string,
): Promise<Instance[]> {
  const instances: Instance[] = [];
  for await (const instance of describeInstances(context, input, { operation })) instances.push(instance);
  return instances;
}

/**
 * Describes instances by id in one call. Ids EC2 reports missing are dropped and the rest asked
 * again; if EC2's message cannot be read, each id is asked on its own.
 */
export async function describeInstancesById(
  context: AwsProviderContext,
  ids: readonly string[],
  operation: string,
): Promise<Map<string, Instance>> {
  const found = new Map<string, Instance>();
  let remaining = [...new Set(ids)];
  while (remaining.length > 0) {
    try {
      for (const instance of await describeAll(context, { InstanceIds: remaining }, operation)) {
        if (instance.InstanceId) found.set(instance.InstanceId, instance);
      }
      return found;
    } catch (error) {
      if (!TrellisError.hasCode(error, 'NotFound')) throw error;
      const missing = missingInstanceIds(error);
      const next = missing ? remaining.filter((id) => !missing.includes(id)) : [];
      if (missing && next.length < remaining.length) {
        remaining = next;
        continue;
      }
      if (remaining.length === 1) return found;
      const singles = await Promise.all(
        remaining.map((id) => describeInstancesById(context, [id], operation)),
      );
      for (const single of singles) for (const [id, instance] of single) found.set(id, instance);
      return found;
    }
  }
  return found;
}

const NAME_FILTER_LIMIT = 200;

/**
 * Looks machines up by cluster and name: one `DescribeInstances` per cluster (and per 200 names)
 * filtered by the ownership tags and the live states. Keys are `cluster\u0000name`.
 */
export async function describeInstancesByName(
  context: AwsProviderContext,
  keys: readonly string[],
  operation: string,
): Promise<Map<string, Instance[]>> {
  const byCluster = new Map<string, string[]>();
  for (const key of keys) {
    const [cluster, name] = key.split('\u0000') as [string, string];
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
  }
  const found = new Map<string, Instance[]>();
  const reads: Array<Promise<void>> = [];
  for (const [cluster, names] of byCluster) {
    for (let start = 0; start < names.length; start += NAME_FILTER_LIMIT) {
      const chunk = names.slice(start, start + NAME_FILTER_LIMIT);
      const filters = ownershipFilters({ cluster, names: chunk, states: LIVE_INSTANCE_STATES });
      reads.push(
        describeAll(context, { Filters: filters }, operation).then((instances) => {
          for (const instance of instances) {
            const key = `${cluster}\u0000${tagRecord(instance.Tags)[NAME_TAG] ?? ''}`;
            found.set(key, [...(found.get(key) ?? []), instance]);
          }
        }),
      );
    }
  }
  await Promise.all(reads);
  return found;
}

/** The two batchers of the machine provider: reads by instance id and lookups by machine name. */
export interface InstanceBatchers {
  byId: KeyedBatcher<string, Instance>;
  byName: KeyedBatcher<string, Instance[]>;
}

/** Creates the batchers with the window and size from the settings. */
export function createInstanceBatchers(context: AwsProviderContext): InstanceBatchers {
  const { batchWindowMs: windowMs, batchMaxIds: maxKeys } = context.settings;
  return {
    byId: new KeyedBatcher({
      windowMs,
      maxKeys,
      fetch: (ids) => describeInstancesById(context, ids, 'getMachine'),
    }),
    byName: new KeyedBatcher({
      windowMs,
      maxKeys: Math.min(maxKeys, NAME_FILTER_LIMIT),
      fetch: (keys) => describeInstancesByName(context, keys, 'getMachine'),
    }),
  };
}
