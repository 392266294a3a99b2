import { Readable } from 'node:stream';
import {
  type BackupStore,
  invalidArgument,
  type Machine,
  type MachineProvider,
  TrellisError,
} from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { backupCases } from '../src/backup-store-cases.js';
import { assertSameMachine, expectTrellisError } from '../src/conformance-assertions.js';
import { registerCases } from '../src/conformance-cases.js';
import {
  collectBytes,
  createMemoryBackupStore,
  createMemoryInfrastructureProvider,
  createMemoryMachineProvider,
  type MemoryInfrastructureProvider,
  type MemoryMachineSpec,
} from '../src/index.js';
import { infrastructureCases } from '../src/infrastructure-provider-cases.js';
import { machineCases } from '../src/machine-provider-cases.js';

// Each test runs a conformance case against a deliberately broken implementation and expects
// the case to fail, proving the suites catch what a user would notice.

const spec: MemoryMachineSpec = { machineType: 'memory.small', zone: 'zone-a' };

function machineContext(provider: MachineProvider<MemoryMachineSpec>) {
  return {
    subject: { provider, spec, invalidSpecs: [{ spec: {}, path: 'machineType' }] },
    listPageSize: 3,
    concurrentCreates: 5,
  } as Parameters<(typeof machineCases)['create-is-idempotent']>[0];
}

function machine(name: string, providerId: string): Machine {
  return {
    name,
    cluster: 'c',
    providerId,
    phase: 'Running',
    addresses: [],
    machineType: 't',
    tags: {},
    createdAt: new Date(),
  };
}

describe('assertion helpers', () => {
  it('assertSameMachine rejects two different VMs', () => {
    expect(() => assertSameMachine(machine('a', 'local:///c/1'), machine('a', 'local:///c/2'))).toThrow(
      /same VM/,
    );
    expect(() => assertSameMachine(machine('a', 'local:///c/1'), machine('a', 'local:///c/1'))).not.toThrow();
  });

  it('expectTrellisError rejects success, foreign errors and wrong codes', async () => {
    await expect(expectTrellisError(Promise.resolve(1), 'NotFound')).rejects.toThrow(/succeeded/);
    await expect(expectTrellisError(Promise.reject(new Error('boom')), 'NotFound')).rejects.toThrow(
      /not a TrellisError/,
    );
    await expect(expectTrellisError(Promise.reject(invalidArgument('bad')), 'NotFound')).rejects.toThrow(
      /InvalidArgument/,
    );
    const error = await expectTrellisError(() => {
      throw new TrellisError({ code: 'NotFound', message: 'gone' });
    }, 'NotFound');
    expect(error.code).toBe('NotFound');
  });

  it('a skip map with an unknown case or without a reason is refused', () => {
    const bodies = { a: async () => {} };
    expect(() => registerCases(['a'], bodies, { b: 'typo' } as never)).toThrow(/unknown case "b"/);
    expect(() => registerCases(['a'], bodies, { a: ' ' })).toThrow(/needs a reason/);
  });
});

describe('machine cases fail on broken providers', () => {
  it('create-is-idempotent fails when a second create makes a new VM', async () => {
    const inner = createMemoryMachineProvider();
    const broken: MachineProvider<MemoryMachineSpec> = {
      ...inner,
      async createMachine(request, options) {
        await inner.deleteMachine(request);
        return inner.createMachine(request, options);
      },
    };
    await expect(machineCases['create-is-idempotent'](machineContext(broken))).rejects.toThrow(/same VM/);
  });

  it('list-pages fails when the last page is dropped', async () => {
    const inner = createMemoryMachineProvider({ listPageSize: 3 });
    const broken: MachineProvider<MemoryMachineSpec> = {
      ...inner,
      async *listMachines(filter, options) {
        const all: Machine[] = [];
        for await (const found of inner.listMachines(filter, options)) all.push(found);
        yield* all.slice(0, all.length - (all.length % 3 || 3));
      },
    };
    await expect(machineCases['list-pages'](machineContext(broken))).rejects.toThrow(/missing/);
  });

  it('abort-is-canceled fails when a provider ignores the signal', async () => {
    const inner = createMemoryMachineProvider();
    const broken: MachineProvider<MemoryMachineSpec> = {
      ...inner,
      createMachine: (request) => inner.createMachine(request),
    };
    await expect(machineCases['abort-is-canceled'](machineContext(broken))).rejects.toThrow(/succeeded/);
  });
});

describe('infrastructure cases fail on broken providers', () => {
  const config = { networkCidr: '10.0.0.0/16', zones: [{ name: 'zone-a', nodesCidr: '10.0.0.0/24' }] };
  const context = (provider: MemoryInfrastructureProvider, inner = provider) => ({
    subject: {
      provider,
      region: 'memory-1',
      config,
      invalidConfigs: [{ config: {}, path: 'networkCidr' }],
      inventory: async () => inner.inventory(),
    },
  });

  it('reconcile-again-changes-nothing and interrupted-reconcile-resumes fail on a leaking reconcile', async () => {
    const inner = createMemoryInfrastructureProvider();
    // Leaks one resource per reconcile call, as a provider that forgets a step's result would.
    const leaking = {
      ...inner,
      reconcile: (async (request, options) => {
        inner.createForeignResource('leak');
        return inner.reconcile(request, options);
      }) as MemoryInfrastructureProvider['reconcile'],
    };
    await expect(
      infrastructureCases['reconcile-again-changes-nothing'](context(leaking, inner)),
    ).rejects.toThrow(/inventory after the second reconcile/);
    await expect(
      infrastructureCases['interrupted-reconcile-resumes'](context(leaking, inner)),
    ).rejects.toThrow(/resources after resuming from step 1/);
  });

  it('delete-removes-what-it-created fails when delete leaves resources', async () => {
    const inner = createMemoryInfrastructureProvider();
    const lazy = { ...inner, delete: async () => {} };
    await expect(infrastructureCases['delete-removes-what-it-created'](context(lazy, inner))).rejects.toThrow(
      /inventory after delete/,
    );
  });
});

describe('backup cases fail on broken stores', () => {
  const MIB = 2 ** 20;
  const context = (store: BackupStore) => ({
    store,
    largeSize: 2 * MIB,
    boundedMemorySize: 64 * MIB,
    boundedMemoryLimit: 32 * MIB,
  });

  it('failed-source-leaves-nothing fails when a partial save becomes visible', async () => {
    const inner = createMemoryBackupStore();
    const partial: BackupStore = {
      ...inner,
      async save(snapshot, data, options) {
        const received: Buffer[] = [];
        try {
          for await (const chunk of data as AsyncIterable<Uint8Array>) received.push(Buffer.from(chunk));
        } catch (error) {
          await inner.save(snapshot, Readable.from([Buffer.concat(received)]), options);
          throw new TrellisError({ code: 'Internal', message: 'source failed', cause: error });
        }
        return inner.save(snapshot, Readable.from(received), options);
      },
    };
    await expect(backupCases['failed-source-leaves-nothing'](context(partial))).rejects.toThrow(
      /listed snapshots after a failed save/,
    );
  });

  it('memory-stays-bounded fails when a store buffers the whole snapshot', async () => {
    const inner = createMemoryBackupStore();
    const buffering: BackupStore = {
      ...inner,
      async save(snapshot, data, options) {
        const received: Buffer[] = [];
        for await (const chunk of data as AsyncIterable<Uint8Array>) received.push(Buffer.from(chunk));
        // Hands the chunks over one at a time to the (deduplicating) memory store only at the end.
        return inner.save(snapshot, Readable.from(received), options);
      },
    };
    await expect(backupCases['memory-stays-bounded'](context(buffering))).rejects.toThrow(/grew by/);
    // The honest memory store passes the same case with the same limits.
    await backupCases['memory-stays-bounded'](context(createMemoryBackupStore()));
  });

  it('list-ascending-and-parsed fails when list returns save order', async () => {
    const inner = createMemoryBackupStore();
    const order: string[] = [];
    const unsorted: BackupStore = {
      ...inner,
      async save(snapshot, data, options) {
        const stored = await inner.save(snapshot, data, options);
        order.push(stored.key);
        return stored;
      },
      async list(options) {
        const listed = await inner.list(options);
        return order
          .map((key) => listed.find((snapshot) => snapshot.key === key))
          .filter((s) => s !== undefined);
      },
    };
    await expect(backupCases['list-ascending-and-parsed'](context(unsorted))).rejects.toThrow(
      /not ascending/,
    );
  });

  it('a corrupted snapshot fails its checksum on fetch instead of ending quietly', async () => {
    const store = createMemoryBackupStore();
    const snapshot = { kind: 'Full' as const, startRevision: 1, lastRevision: 2, createdOn: new Date() };
    await store.save(snapshot, Readable.from([Buffer.from('hello etcd')]));
    expect((await collectBytes(await store.fetch(snapshot))).toString()).toBe('hello etcd');
    store.corrupt(snapshot);
    await expect(collectBytes(await store.fetch(snapshot))).rejects.toThrow(/SHA-256/);
  });
});
