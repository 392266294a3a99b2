import { randomUUID } from 'node:crypto';

/** A resource the fake API server serves. */
export interface KubeResourceKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** Whether `/status` is a subresource: the main resource then ignores status, `/status` everything else. */
  readonly statusSubresource: boolean;
  /** Checks an object before it is stored; returns the problems (answered as 422 Invalid). */
  readonly validate?: (object: KubeObject) => string[];
}

/** A stored object: what the API server answers. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One watch event, as the API server streams it. */
export interface KubeWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';
  readonly object: KubeObject | KubeStatus;
}

/** A `metav1.Status`: every error the API server answers. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { message: string }[] };
}

/** An API error: its HTTP code and the Status the server answers with. */
export class KubeApiError extends Error {
  readonly status: KubeStatus;
  constructor(code: number, reason: string, message: string, details?: KubeStatus['details']) {
    super(message);
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
      ...(details ? { details } : {}),
    };
  }
}

interface StoredEvent {
  readonly revision: number;
  readonly key: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const clone = <T>(value: T): T => structuredClone(value);
const resourceOf = (kind: KubeResourceKind) => `${kind.plural}.${kind.group}`;

/**
 * The state of the fake API server: objects by resource, namespace and name, one revision counter
 * for all of them (as etcd's), optimistic concurrency on `metadata.resourceVersion`, the spec/status
 * split of a status subresource, `metadata.generation` bumped on spec changes, and an event log
 * that watches replay from a resource version — until `compact()` drops it, after which a watch
 * from an older version is answered `410 Gone`, as a real server does after etcd compaction.
 */
export class KubeObjectStore {
  readonly #objects = new Map<string, KubeObject>();
  readonly #events: StoredEvent[] = [];
  readonly #listeners = new Set<() => void>();
  #revision = 1;
  #compacted = 0;

  /** The latest resource version. */
  get revision(): number {
    return this.#revision;
  }

  get(kind: KubeResourceKind, namespace: string, name: string): KubeObject {
    const object = this.#objects.get(this.#key(kind, namespace, name));
    if (!object)
      throw new KubeApiError(404, 'NotFound', `${resourceOf(kind)} "${name}" not found`, {
        name,
        group: kind.group,
        kind: kind.plural,
      });
    return clone(object);
  }

  list(kind: KubeResourceKind, namespace?: string, labelSelector?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${resourceOf(kind)}/` : `${resourceOf(kind)}/${namespace}/`;
    const matches = selector(labelSelector);
    return [...this.#objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && matches(object))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, object]) => clone(object));
  }

  create(kind: KubeResourceKind, namespace: string, body: Partial<KubeObject>): KubeObject {
    const name = String(body.metadata?.name ?? '');
    if (!NAME.test(name) || name.length > 253)
      throw new KubeApiError(
        422,
        'Invalid',
        `${kind.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
        { name, group: kind.group, kind: kind.kind },
      );
    const key = this.#key(kind, namespace, name);
    if (this.#objects.has(key))
      throw new KubeApiError(409, 'AlreadyExists', `${resourceOf(kind)} "${name}" already exists`, {
        name,
        group: kind.group,
        kind: kind.plural,
      });
    const { status: _ignored, ...rest } = clone(body);
    const object: KubeObject = {
      ...(kind.statusSubresource ? rest : clone(body)),
      apiVersion: `${kind.group}/${kind.version}`,
      kind: kind.kind,
      metadata: {
        ...(body.metadata ?? {}),
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: '',
        generation: 1,
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    return this.#commit(kind, key, 'ADDED', object);
  }

  /** A PUT: of the whole object, or of its status (`subresource: 'status'`). */
  replace(
    kind: KubeResourceKind,
    namespace: string,
    name: string,
    body: Partial<KubeObject>,
    subresource?: 'status',
  ): KubeObject {
    const current = this.get(kind, namespace, name);
    const expected = body.metadata?.resourceVersion;
    if (expected && expected !== current.metadata.resourceVersion)
      throw new KubeApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resourceOf(kind)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: kind.group, kind: kind.plural },
      );
    return this.#update(kind, current, body, subresource);
  }

  /** A PATCH: merge patch (RFC 7386) or JSON patch (RFC 6902). */
  patch(
    kind: KubeResourceKind,
    namespace: string,
    name: string,
    contentType: string,
    patch: unknown,
    subresource?: 'status',
  ): KubeObject {
    const current = this.get(kind, namespace, name);
    let next: unknown;
    if (contentType.startsWith('application/merge-patch+json')) next = mergePatch(current, patch);
    else if (contentType.startsWith('application/json-patch+json')) next = jsonPatch(current, patch);
    else
      throw new KubeApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
      );
    return this.#update(kind, current, next as Partial<KubeObject>, subresource);
  }

  delete(kind: KubeResourceKind, namespace: string, name: string): KubeObject {
    const current = this.get(kind, namespace, name);
    const key = this.#key(kind, namespace, name);
    this.#objects.delete(key);
    return this.#commit(kind, key, 'DELETED', current);
  }

  /** Forgets the event log (etcd compaction): watches from an older resource version get `410 Gone`. */
  compact(): void {
    this.#compacted = this.#revision;
    this.#events.length = 0;
  }

  /**
   * The events of a watch: from `resourceVersion` on (`''`/`'0'`: every current object as `ADDED`
   * first), then live ones until `signal` aborts or `timeoutMs` passes.
   */
  async *watch(
    kind: KubeResourceKind,
    options: { namespace?: string; resourceVersion?: string; labelSelector?: string; timeoutMs: number },
    signal: AbortSignal,
  ): AsyncGenerator<KubeWatchEvent> {
    const prefix =
      options.namespace === undefined ? `${resourceOf(kind)}/` : `${resourceOf(kind)}/${options.namespace}/`;
    const matches = selector(options.labelSelector);
    let from = Number(options.resourceVersion || 0);
    if (!from) {
      for (const object of this.list(kind, options.namespace, options.labelSelector))
        yield { type: 'ADDED', object };
      from = this.#revision;
    } else if (from < this.#compacted) {
      yield {
        type: 'ERROR',
        object: new KubeApiError(410, 'Expired', `too old resource version: ${from} (${this.#compacted})`)
          .status,
      };
      return;
    }
    const deadline = Date.now() + options.timeoutMs;
    while (!signal.aborted && Date.now() < deadline) {
      for (const event of this.#events) {
        if (event.revision <= from) continue;
        from = event.revision;
        if (event.key.startsWith(prefix) && matches(event.object))
          yield { type: event.type, object: clone(event.object) };
      }
      await this.#changed(signal, deadline - Date.now());
    }
  }

  #update(
    kind: KubeResourceKind,
    current: KubeObject,
    body: Partial<KubeObject>,
    subresource?: 'status',
  ): KubeObject {
    const next: KubeObject = kind.statusSubresource
      ? subresource === 'status'
        ? { ...current, ...(body.status === undefined ? {} : { status: clone(body.status) }) }
        : ({ ...clone(body), status: current.status } as KubeObject)
      : ({ ...clone(body) } as KubeObject);
    if (next.status === undefined) delete next.status;
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    next.metadata = {
      ...(subresource === 'status' ? current.metadata : (body.metadata ?? current.metadata)),
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: current.metadata.resourceVersion,
      generation:
        JSON.stringify(next.spec) === JSON.stringify(current.spec)
          ? current.metadata.generation
          : current.metadata.generation + 1,
    };
    const key = this.#key(kind, current.metadata.namespace, current.metadata.name);
    return this.#commit(kind, key, 'MODIFIED', next);
  }

  #commit(kind: KubeResourceKind, key: string, type: StoredEvent['type'], object: KubeObject): KubeObject {
    const problems = type === 'DELETED' ? [] : (kind.validate?.(object) ?? []);
    if (problems.length > 0)
      throw new KubeApiError(
        422,
        'Invalid',
        `${kind.kind} "${object.metadata.name}" is invalid: ${problems.join(', ')}`,
        {
          name: object.metadata.name,
          group: kind.group,
          kind: kind.kind,
          causes: problems.map((message) => ({ message })),
        },
      );
    this.#revision += 1;
    object.metadata.resourceVersion = String(this.#revision);
    if (type !== 'DELETED') this.#objects.set(key, clone(object));
    this.#events.push({ revision: this.#revision, key, type, object: clone(object) });
    if (this.#events.length > 10_000) this.#events.splice(0, 1_000);
    for (const listener of [...this.#listeners]) listener();
    return clone(object);
  }

  #changed(signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.#listeners.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #key(kind: KubeResourceKind, namespace: string, name: string): string {
    return `${resourceOf(kind)}/${namespace}/${name}`;
  }
}

/** Equality-based label selectors (`a=b,c!=d,e`), which is what controllers send. */
function selector(labelSelector: string | undefined): (object: KubeObject) => boolean {
  const terms = (labelSelector ?? '')
    .split(',')
    .map((term) => term.trim())
    .filter(Boolean);
  return (object) =>
    terms.every((term) => {
      const labels = object.metadata.labels ?? {};
      const [key, value] = term.split(/!?==?/) as [string, string | undefined];
      if (value === undefined) return key in labels;
      return term.includes('!=') ? labels[key] !== value : labels[key] === value;
    });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw new KubeApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
  let document = clone(target);
  for (const operation of operations as { op: string; path: string; value?: unknown }[]) {
    const segments = operation.path
      .split('/')
      .slice(1)
      .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop();
    if (last === undefined) {
      document = clone(operation.value);
      continue;
    }
    let parent = document as Record<string, unknown>;
    for (const segment of segments) {
      if (parent[segment] === null || typeof parent[segment] !== 'object')
        throw new KubeApiError(
          422,
          'Invalid',
          `jsonpatch ${operation.op} operation does not apply: doc is missing path: ${operation.path}`,
        );
      parent = parent[segment] as Record<string, unknown>;
    }
    if (operation.op === 'add' || operation.op === 'replace') {
      if (operation.op === 'replace' && !(last in parent))
        throw new KubeApiError(
          422,
          'Invalid',
          `jsonpatch replace operation does not apply: doc is missing key: ${operation.path}`,
        );
      parent[last] = clone(operation.value);
    } else if (operation.op === 'remove') {
      if (!(last in parent))
        throw new KubeApiError(
          422,
          'Invalid',
          `jsonpatch remove operation does not apply: doc is missing key: ${operation.path}`,
        );
      delete parent[last];
    } else if (operation.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(operation.value))
        throw new KubeApiError(422, 'Invalid', `testing value ${operation.path} failed`);
    } else throw new KubeApiError(400, 'BadRequest', `unsupported JSON patch operation ${operation.op}`);
  }
  return document;
}
