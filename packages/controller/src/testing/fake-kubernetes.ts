import { writeFile } from 'node:fs/promises';
import {
  type CallLog,
  type FakeResponse,
  FakeRouter,
  type FaultInjector,
  jsonResponse,
  type RouteMatch,
  startFakeServer,
} from '@trellis/testkit/fake';
import {
  KubeApiError,
  type KubeObject,
  KubeObjectStore,
  type KubeResourceKind,
} from './kube-object-store.js';

/** `coordination.k8s.io/v1` `MicroTime`: RFC 3339 with exactly six fractional digits, as the API server parses it. */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

/** `trellis.dev/v1alpha1` `MachinePool`, with a status subresource. */
export const MACHINE_POOL_RESOURCE: KubeResourceKind = {
  group: 'trellis.dev',
  version: 'v1alpha1',
  plural: 'machinepools',
  kind: 'MachinePool',
  statusSubresource: true,
};

/** `coordination.k8s.io/v1` `Lease`, with the API server's checks of its spec. */
export const LEASE_RESOURCE: KubeResourceKind = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  statusSubresource: false,
  validate: (object) => {
    const spec = object.spec ?? {};
    const problems: string[] = [];
    for (const field of ['acquireTime', 'renewTime']) {
      const value = spec[field];
      if (value !== undefined && value !== null && !(typeof value === 'string' && MICRO_TIME.test(value)))
        problems.push(`spec.${field}: Invalid value: ${JSON.stringify(value)}: must be a MicroTime`);
    }
    const duration = spec.leaseDurationSeconds;
    if (duration !== undefined && !(Number.isInteger(duration) && (duration as number) > 0))
      problems.push('spec.leaseDurationSeconds: Invalid value: must be greater than 0');
    return problems;
  },
};

/** Options of {@link startFakeKubernetes}. */
export interface FakeKubernetesOptions {
  /** The resources served. @default the MachinePool and the Lease */
  readonly resources?: readonly KubeResourceKind[];
  /** The bearer token a client must send. @default a fixed test token */
  readonly token?: string;
  /** Serve HTTPS with a fresh self-signed certificate (clients trust it through the kubeconfig). @default true */
  readonly tls?: boolean;
}

/** A running fake Kubernetes API server. */
export interface FakeKubernetes {
  readonly url: string;
  /** The PEM certificate a client must trust (the kubeconfig carries it too). */
  readonly ca?: string;
  readonly objects: KubeObjectStore;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** A kubeconfig (YAML) that reaches this server: its CA and the bearer token. */
  kubeconfig(options?: { namespace?: string }): string;
  /** Writes {@link FakeKubernetes.kubeconfig} to a file. */
  writeKubeconfig(path: string, options?: { namespace?: string }): Promise<void>;
  /** Ends every open watch (as an API server restart does); clients must reconnect. */
  dropWatches(): void;
  close(): Promise<void>;
}

/**
 * An offline Kubernetes API server for controller tests: list, watch (JSON lines, resuming from a
 * resource version, `410 Gone` after `objects.compact()`), get, create, replace, merge and JSON
 * patch, delete, status subresources, optimistic concurrency (`409 Conflict`), bearer-token
 * authentication (`401`), and errors as `metav1.Status`. Serves custom resources and Leases; the
 * kit's faults and call log apply (actions are `<verb> <resource>`, e.g. `watch machinepools`).
 */
export async function startFakeKubernetes(options: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
  const token = options.token ?? 'trellis-fake-kubernetes-token';
  const objects = new KubeObjectStore();
  const resources = options.resources ?? [MACHINE_POOL_RESOURCE, LEASE_RESOURCE];
  const watches = new Set<AbortController>();
  const router = new FakeRouter((request) =>
    status(
      new KubeApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (${request.url.pathname})`,
      ),
    ),
  );

  const answering =
    (handler: (match: RouteMatch, kind: KubeResourceKind) => FakeResponse, kind: KubeResourceKind) =>
    (match: RouteMatch): FakeResponse => {
      try {
        return handler(match, kind);
      } catch (error) {
        if (error instanceof KubeApiError) return status(error);
        if (error instanceof SyntaxError) return status(new KubeApiError(400, 'BadRequest', error.message));
        throw error;
      }
    };

  const watch = (match: RouteMatch, kind: KubeResourceKind): FakeResponse => {
    const aborter = new AbortController();
    watches.add(aborter);
    const timeoutSeconds = Number(match.query.get('timeoutSeconds') ?? 1800);
    const events = objects.watch(
      kind,
      {
        ...(match.params.namespace === undefined ? {} : { namespace: match.params.namespace }),
        ...(match.query.get('resourceVersion')
          ? { resourceVersion: match.query.get('resourceVersion')! }
          : {}),
        ...(match.query.get('labelSelector') ? { labelSelector: match.query.get('labelSelector')! } : {}),
        timeoutMs: timeoutSeconds * 1000,
      },
      aborter.signal,
    );
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      stream: async function* (closed) {
        closed.addEventListener('abort', () => aborter.abort(), { once: true });
        try {
          for await (const event of events) yield `${JSON.stringify(event)}\n`;
        } finally {
          watches.delete(aborter);
        }
      },
    };
  };
  const list = (match: RouteMatch, kind: KubeResourceKind): FakeResponse =>
    jsonResponse(200, {
      apiVersion: `${kind.group}/${kind.version}`,
      kind: `${kind.kind}List`,
      metadata: { resourceVersion: String(objects.revision) },
      items: objects.list(kind, match.params.namespace, match.query.get('labelSelector') ?? undefined),
    });
  const body = (match: RouteMatch) => JSON.parse(match.request.body.toString('utf8')) as Partial<KubeObject>;
  const contentType = (match: RouteMatch) => String(match.request.headers['content-type'] ?? '');
  const namespace = (m: RouteMatch) => m.params.namespace!;
  const name = (m: RouteMatch) => m.params.name!;

  for (const kind of resources) {
    const base = `/apis/${kind.group}/${kind.version}`;
    const one = `${base}/namespaces/{namespace}/${kind.plural}/{name}`;
    const p = kind.plural;
    router
      .add('GET', `${base}/${p}`, `watch ${p}`, answering(watch, kind), { query: { watch: 'true' } })
      .add('GET', `${base}/${p}`, `list ${p}`, answering(list, kind))
      .add('GET', `${base}/namespaces/{namespace}/${p}`, `watch ${p}`, answering(watch, kind), {
        query: { watch: 'true' },
      })
      .add('GET', `${base}/namespaces/{namespace}/${p}`, `list ${p}`, answering(list, kind))
      .add(
        'POST',
        `${base}/namespaces/{namespace}/${p}`,
        `create ${p}`,
        answering((m, k) => jsonResponse(201, objects.create(k, namespace(m), body(m))), kind),
      )
      .add(
        'GET',
        one,
        `get ${p}`,
        answering((m, k) => jsonResponse(200, objects.get(k, namespace(m), name(m))), kind),
      )
      .add(
        'PUT',
        one,
        `update ${p}`,
        answering((m, k) => jsonResponse(200, objects.replace(k, namespace(m), name(m), body(m))), kind),
      )
      .add(
        'PATCH',
        one,
        `patch ${p}`,
        answering(
          (m, k) => jsonResponse(200, objects.patch(k, namespace(m), name(m), contentType(m), body(m))),
          kind,
        ),
      )
      .add(
        'DELETE',
        one,
        `delete ${p}`,
        answering((m, k) => jsonResponse(200, objects.delete(k, namespace(m), name(m))), kind),
      );
    if (kind.statusSubresource)
      router
        .add(
          'GET',
          `${one}/status`,
          `get ${p}/status`,
          answering((m, k) => jsonResponse(200, objects.get(k, namespace(m), name(m))), kind),
        )
        .add(
          'PUT',
          `${one}/status`,
          `update ${p}/status`,
          answering(
            (m, k) => jsonResponse(200, objects.replace(k, namespace(m), name(m), body(m), 'status')),
            kind,
          ),
        )
        .add(
          'PATCH',
          `${one}/status`,
          `patch ${p}/status`,
          answering(
            (m, k) =>
              jsonResponse(200, objects.patch(k, namespace(m), name(m), contentType(m), body(m), 'status')),
            kind,
          ),
        );
  }

  const server = await startFakeServer({
    actionOf: router.actionOf,
    // Authentication comes first, as on a real server: an unknown path is a 401 too without a token.
    handle: (request) =>
      request.headers.authorization === `Bearer ${token}`
        ? router.handle(request)
        : status(new KubeApiError(401, 'Unauthorized', 'Unauthorized')),
    renderFault: (kind, _request, code) =>
      kind === 'throttle'
        ? status(new KubeApiError(429, 'TooManyRequests', 'Too many requests, please try again later.'), {
            'retry-after': '1',
          })
        : status(
            new KubeApiError(
              code,
              code === 503 ? 'ServiceUnavailable' : 'InternalError',
              'an error on the server has prevented the request from succeeding',
            ),
          ),
    tls: options.tls ?? true,
  });

  const kubeconfig = ({ namespace: context }: { namespace?: string } = {}) =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: fake',
      '    cluster:',
      `      server: ${server.url}`,
      ...(server.ca
        ? [`      certificate-authority-data: ${Buffer.from(server.ca).toString('base64')}`]
        : []),
      'users:',
      '  - name: fake',
      '    user:',
      `      token: ${token}`,
      'contexts:',
      '  - name: fake',
      '    context:',
      '      cluster: fake',
      '      user: fake',
      ...(context ? [`      namespace: ${context}`] : []),
      'current-context: fake',
      '',
    ].join('\n');

  return {
    url: server.url,
    ...(server.ca ? { ca: server.ca } : {}),
    objects,
    calls: server.calls,
    faults: server.faults,
    kubeconfig,
    writeKubeconfig: (path, kubeconfigOptions) =>
      writeFile(path, kubeconfig(kubeconfigOptions), { mode: 0o600 }),
    dropWatches() {
      for (const aborter of watches) aborter.abort();
    },
    close: () => {
      for (const aborter of watches) aborter.abort();
      return server.close();
    },
  };
}

function status(error: KubeApiError, headers: Record<string, string> = {}): FakeResponse {
  return jsonResponse(error.status.code, error.status, headers);
}
