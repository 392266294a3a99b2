// The API servers the Kubernetes tests run against: always the offline fake; a real cluster too when
// one is given (KUBECONFIG) and asked for (TRELLIS_KUBE_LIVE=1), in TRELLIS_KUBE_NAMESPACE.
import { randomBytes } from 'node:crypto';
import { ApiextensionsV1Api, CoordinationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { type KubeConfigSource, machinePoolCustomResourceDefinition } from '@trellis/controller';
import { type FakeKubernetes, startFakeKubernetes } from '@trellis/controller/testing';
import { memoryMachineSpecSchema } from '@trellis/testkit';
import { afterAll, beforeAll } from 'vitest';

export interface KubernetesTarget {
  readonly name: string;
  readonly namespace: string;
  kubeConfig(): KubeConfigSource;
  /** A name no earlier run used (a live cluster keeps what a failed run left). */
  uniqueName(prefix: string): string;
  readLease(name: string): Promise<{ spec: Record<string, unknown> }>;
  /** The client the tests change MachinePools with (the same wire as any user's). */
  customObjects(): CustomObjectsApi;
  /** The fake behind this target, when it is one. */
  fake(): FakeKubernetes | undefined;
}

const live = process.env.TRELLIS_KUBE_LIVE === '1' && Boolean(process.env.KUBECONFIG);
let warned = false;

export function kubernetesTargets(): KubernetesTarget[] {
  let fake: FakeKubernetes | undefined;
  beforeAll(async () => {
    fake = await startFakeKubernetes();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const config = (source: () => KubeConfig) => {
    let loaded: KubeConfig | undefined;
    return () => {
      loaded ??= source();
      return loaded;
    };
  };
  const target = (
    name: string,
    namespace: string,
    load: () => KubeConfig,
    isFake: boolean,
  ): KubernetesTarget => ({
    name,
    namespace,
    kubeConfig: isFake ? () => ({ yaml: fake!.kubeconfig() }) : load,
    uniqueName: (prefix) => `${prefix}-${randomBytes(3).toString('hex')}`,
    readLease: async (lease) =>
      (await load().makeApiClient(CoordinationV1Api).readNamespacedLease({ name: lease, namespace })) as {
        spec: Record<string, unknown>;
      },
    customObjects: () => load().makeApiClient(CustomObjectsApi),
    fake: () => (isFake ? fake : undefined),
  });
  const fakeConfig = config(() => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(fake!.kubeconfig());
    return kubeConfig;
  });
  const targets = [target('fake API server', 'default', () => fakeConfig(), true)];
  if (live) {
    const liveConfig = config(() => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromDefault();
      return kubeConfig;
    });
    targets.push(target('live cluster', process.env.TRELLIS_KUBE_NAMESPACE ?? 'default', liveConfig, false));
    // The MachinePool CRD for the tests' memory provider, unless the cluster has one already (then
    // it must accept provider `memory`); removed afterwards only when these tests installed it.
    let installed = false;
    const crdName = 'machinepools.trellis.dev';
    beforeAll(async () => {
      const api = liveConfig().makeApiClient(ApiextensionsV1Api);
      const exists = await api.readCustomResourceDefinition({ name: crdName }).then(
        () => true,
        () => false,
      );
      if (exists) return;
      await api.createCustomResourceDefinition({
        body: machinePoolCustomResourceDefinition({
          memory: memoryMachineSpecSchema.toJsonSchema() as Record<string, unknown>,
        }) as never,
      });
      installed = true;
      for (let tries = 0; tries < 100; tries += 1) {
        const crd = await api.readCustomResourceDefinition({ name: crdName });
        if (
          crd.status?.conditions?.some(
            (condition) => condition.type === 'Established' && condition.status === 'True',
          )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }, 30_000);
    afterAll(async () => {
      if (installed)
        await liveConfig()
          .makeApiClient(ApiextensionsV1Api)
          .deleteCustomResourceDefinition({ name: crdName });
    });
  } else if (!warned) {
    warned = true;
    console.warn(
      '!!! no live Kubernetes cluster: the Kubernetes tests ran against the offline fake only ' +
        '(set KUBECONFIG and TRELLIS_KUBE_LIVE=1 to run them against a real API server too)',
    );
  }
  return targets;
}
