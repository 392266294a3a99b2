import { get } from 'node:https';
import {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  Watch,
} from '@kubernetes/client-node';
import { type FakeKubernetes, startFakeKubernetes } from '@trellis/controller/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The fake API server through @kubernetes/client-node, the client every Kubernetes source uses.
let kubernetes: FakeKubernetes;
let config: KubeConfig;
beforeEach(async () => {
  kubernetes = await startFakeKubernetes();
  config = new KubeConfig();
  config.loadFromString(kubernetes.kubeconfig());
});
afterEach(() => kubernetes.close());

const pools = { group: 'trellis.dev', version: 'v1alpha1', plural: 'machinepools', namespace: 'default' };
const pool = (name: string, replicas: number) => ({
  apiVersion: 'trellis.dev/v1alpha1',
  kind: 'MachinePool',
  metadata: { name },
  spec: { replicas },
  status: { ready: 99 },
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code: number; body?: string }) => ({
      code: error.code,
      body: error.body === undefined ? undefined : JSON.parse(error.body),
    }),
  );

describe('the fake Kubernetes API server', () => {
  it('answers 401 with a Status to a client without the token, over TLS it trusts through the kubeconfig', async () => {
    const stranger = new KubeConfig();
    stranger.loadFromString(kubernetes.kubeconfig().replace(/token: .*/, 'token: nope'));
    expect(kubernetes.url).toMatch(/^https:/);
    expect(
      await failure(stranger.makeApiClient(CustomObjectsApi).listClusterCustomObject(pools)),
    ).toMatchObject({
      code: 401,
    });
    // The client drops a 401's body; the server sends a Status, also for a path it does not serve.
    const body = await new Promise<string>((resolve, reject) => {
      get(`${kubernetes.url}/apis/nothing/v1/here`, { ca: kubernetes.ca }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        response.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('keeps the spec/status split, bumps the generation on spec changes, and refuses stale writes with 409', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    const created = (await api.createNamespacedCustomObject({ ...pools, body: pool('a', 1) })) as {
      metadata: { resourceVersion: string; generation: number };
      status?: unknown;
    };
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
    expect(await failure(api.createNamespacedCustomObject({ ...pools, body: pool('a', 1) }))).toMatchObject({
      code: 409,
      body: { reason: 'AlreadyExists' },
    });

    const withStatus = (await api.patchNamespacedCustomObjectStatus(
      { ...pools, name: 'a', body: { status: { ready: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number; resourceVersion: string }; status: unknown };
    expect(withStatus).toMatchObject({ metadata: { generation: 1 }, status: { ready: 1 } });

    const replaced = (await api.replaceNamespacedCustomObject({
      ...pools,
      name: 'a',
      body: {
        ...pool('a', 3),
        metadata: { name: 'a', resourceVersion: withStatus.metadata.resourceVersion },
      },
    })) as { metadata: { generation: number }; spec: unknown; status: unknown };
    // The main resource ignores status; the spec change bumps the generation.
    expect(replaced).toMatchObject({
      metadata: { generation: 2 },
      spec: { replicas: 3 },
      status: { ready: 1 },
    });
    expect(
      await failure(
        api.replaceNamespacedCustomObject({
          ...pools,
          name: 'a',
          body: {
            ...pool('a', 4),
            metadata: { name: 'a', resourceVersion: created.metadata.resourceVersion },
          },
        }),
      ),
    ).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    expect(await failure(api.getNamespacedCustomObject({ ...pools, name: 'zz' }))).toMatchObject({
      code: 404,
      body: { reason: 'NotFound' },
    });
  });

  it('refuses a Lease whose times are not MicroTime, as the API server does', async () => {
    const api = config.makeApiClient(CoordinationV1Api);
    const body = (renewTime: Date) => ({
      metadata: { name: 'l' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime },
    });
    // A Date serializes with milliseconds; the API server parses six fractional digits only.
    expect(
      await failure(api.createNamespacedLease({ namespace: 'default', body: body(new Date()) })),
    ).toMatchObject({
      code: 422,
      body: { reason: 'Invalid' },
    });
    const lease = await api.createNamespacedLease({ namespace: 'default', body: body(new V1MicroTime()) });
    expect(lease.spec?.holderIdentity).toBe('me');
  });

  it('streams watch events from a resource version, and answers 410 Gone after compaction', async () => {
    const api = config.makeApiClient(CustomObjectsApi);
    const first = (await api.createNamespacedCustomObject({ ...pools, body: pool('a', 1) })) as {
      metadata: { resourceVersion: string };
    };
    await api.createNamespacedCustomObject({ ...pools, body: pool('b', 1) });
    await api.deleteNamespacedCustomObject({ ...pools, name: 'a' });
    const events: string[] = [];
    const watch = async (resourceVersion: string) => {
      let finished: (error: unknown) => void = () => {};
      const done = new Promise((resolve) => {
        finished = resolve;
      });
      const request = await new Watch(config).watch(
        '/apis/trellis.dev/v1alpha1/machinepools',
        { resourceVersion },
        (type, object: { metadata?: { name: string }; code?: number }) =>
          events.push(`${type} ${object.metadata?.name ?? object.code}`),
        finished,
      );
      return { request, done };
    };
    const live = await watch(first.metadata.resourceVersion);
    await expect.poll(() => events).toEqual(['ADDED b', 'DELETED a']);
    await api.createNamespacedCustomObject({ ...pools, body: pool('c', 1) });
    await expect.poll(() => events).toEqual(['ADDED b', 'DELETED a', 'ADDED c']);
    live.request.abort();

    kubernetes.objects.compact();
    events.length = 0;
    const expired = await watch(first.metadata.resourceVersion);
    await expired.done;
    expect(events).toEqual(['ERROR 410']);
  });
});
