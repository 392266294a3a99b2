import type { Clock } from '@trellis/provider-kit';

/** One stored resource with its version. */
export interface StoredResource<Value> {
  readonly key: string;
  readonly value: Value;
  /** Starts at 1, grows with every write: an ETag or fingerprint. */
  readonly version: number;
  /** Clock time of the first write. */
  readonly createdAt: number;
  /** Clock time of the latest write. */
  readonly updatedAt: number;
}

/** Thrown when a conditional write finds another version (the fake answers 409/412 for it). */
export class VersionConflictError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number | 'absent',
    readonly actual: number | 'absent',
  ) {
    super(`resource ${key} is at version ${actual}, not ${expected}`);
  }
}

/**
 * A fake cloud's resources by key (a path such as `projects/p/zones/z/instances/vm-1`), each with a
 * version that changes on every write, so a fake can answer fingerprints, ETags and
 * `If-Match` conditions. Keys list in insertion order.
 *
 * @example
 * ```ts
 * const instances = new ResourceStore<Instance>();
 * instances.put('projects/p/zones/z/instances/vm-1', instance, { ifVersion: 'absent' }); // 409 if it exists
 * for (const { value } of instances.list('projects/p/zones/z/instances/')) ...
 * ```
 */
export class ResourceStore<Value> {
  readonly #items = new Map<string, StoredResource<Value>>();
  readonly #clock: Pick<Clock, 'now'>;

  constructor(clock: Pick<Clock, 'now'> = { now: () => Date.now() }) {
    this.#clock = clock;
  }

  get(key: string): StoredResource<Value> | undefined {
    return this.#items.get(key);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  /** Writes a resource; with `ifVersion`, only when the stored version is that one (or absent). */
  put(key: string, value: Value, options: { ifVersion?: number | 'absent' } = {}): StoredResource<Value> {
    const existing = this.#items.get(key);
    if (options.ifVersion !== undefined) {
      const actual = existing?.version ?? 'absent';
      if (actual !== options.ifVersion) throw new VersionConflictError(key, options.ifVersion, actual);
    }
    const now = this.#clock.now();
    const stored: StoredResource<Value> = {
      key,
      value,
      version: (existing?.version ?? 0) + 1,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.#items.set(key, stored);
    return stored;
  }

  /** Changes a stored resource in place; undefined when it does not exist. */
  update(key: string, change: (value: Value) => Value): StoredResource<Value> | undefined {
    const existing = this.#items.get(key);
    return existing ? this.put(key, change(existing.value)) : undefined;
  }

  /** Removes a resource; false when there was none. */
  delete(key: string): boolean {
    return this.#items.delete(key);
  }

  /** The resources whose key starts with `prefix`, in insertion order. */
  list(prefix = ''): StoredResource<Value>[] {
    return [...this.#items.values()].filter((item) => item.key.startsWith(prefix));
  }

  get size(): number {
    return this.#items.size;
  }
}

/** The state of a fake long-running operation. */
export type FakeOperationStatus = 'RUNNING' | 'DONE';

/** A fake long-running operation (a GCE operation, an ARM async operation, an Alibaba status change). */
export interface FakeOperation<Failure = unknown> {
  readonly id: string;
  /** What it acts on, for the answer (`targetLink`, a resource id). */
  readonly target: string;
  /** The cloud's name of what it does (`insert`, `delete`). */
  readonly kind: string;
  readonly status: FakeOperationStatus;
  /** Set when it finished with an error. */
  readonly error?: Failure;
  /** Polls answered so far. */
  readonly polls: number;
  readonly startedAt: number;
  readonly endedAt?: number;
}

/** How an operation ends. */
export interface StartOperationOptions<Failure> {
  readonly target: string;
  readonly kind: string;
  /** Done after this many polls (0: done at the first look). @default 0 */
  readonly completeAfterPolls?: number;
  /** Or done once this much clock time has passed. */
  readonly completeAfterMs?: number;
  /** Ends with this error instead of succeeding. */
  readonly fail?: Failure;
  /** Runs once when it completes successfully (the change becomes visible then). */
  readonly onComplete?: () => void;
}

interface OperationRecord<Failure> {
  operation: FakeOperation<Failure>;
  options: StartOperationOptions<Failure>;
}

/**
 * Long-running operations of a fake: each completes after N polls or after a time on the
 * injectable clock, succeeding (running its `onComplete`) or failing with an error.
 *
 * @example
 * ```ts
 * const operations = new OperationStore<GceError>(clock);
 * const op = operations.start({ target: link, kind: 'insert', completeAfterPolls: 2, onComplete: () => store.put(key, vm) });
 * operations.poll(op.id); // RUNNING, RUNNING, then DONE
 * ```
 */
export class OperationStore<Failure = unknown> {
  readonly #records = new Map<string, OperationRecord<Failure>>();
  readonly #clock: Pick<Clock, 'now'>;
  #sequence = 0;

  constructor(
    clock: Pick<Clock, 'now'> = { now: () => Date.now() },
    readonly prefix = 'operation-',
  ) {
    this.#clock = clock;
  }

  /** Starts an operation (it may be done at once). */
  start(options: StartOperationOptions<Failure>): FakeOperation<Failure> {
    this.#sequence += 1;
    const id = `${this.prefix}${Date.now().toString(36)}-${this.#sequence}`;
    const record: OperationRecord<Failure> = {
      operation: {
        id,
        target: options.target,
        kind: options.kind,
        status: 'RUNNING',
        polls: 0,
        startedAt: this.#clock.now(),
      },
      options,
    };
    this.#records.set(id, record);
    this.#settle(record);
    return record.operation;
  }

  /** The operation as it is, without counting a poll. */
  get(id: string): FakeOperation<Failure> | undefined {
    const record = this.#records.get(id);
    if (record) this.#settle(record);
    return record?.operation;
  }

  /** One client poll: counts it, and completes the operation when its time has come. */
  poll(id: string): FakeOperation<Failure> | undefined {
    const record = this.#records.get(id);
    if (!record) return undefined;
    if (record.operation.status === 'RUNNING')
      record.operation = { ...record.operation, polls: record.operation.polls + 1 };
    this.#settle(record);
    return record.operation;
  }

  /** Every operation, oldest first. */
  list(): FakeOperation<Failure>[] {
    return [...this.#records.values()].map((record) => {
      this.#settle(record);
      return record.operation;
    });
  }

  #settle(record: OperationRecord<Failure>): void {
    const { operation, options } = record;
    if (operation.status === 'DONE') return;
    const now = this.#clock.now();
    const byPolls = operation.polls >= (options.completeAfterPolls ?? 0);
    const byTime =
      options.completeAfterMs !== undefined && now - operation.startedAt >= options.completeAfterMs;
    const due =
      options.completeAfterMs !== undefined && options.completeAfterPolls === undefined
        ? byTime
        : byPolls || byTime;
    if (!due) return;
    if (options.fail === undefined) options.onComplete?.();
    record.operation = {
      ...operation,
      status: 'DONE',
      endedAt: now,
      ...(options.fail === undefined ? {} : { error: options.fail }),
    };
  }
}
