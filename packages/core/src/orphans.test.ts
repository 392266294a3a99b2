import { describe, expect, it } from 'vitest';
import type { Machine } from './machine.js';
import { selectOrphanMachines } from './orphans.js';

const now = new Date('2026-12-07T12:00:00Z');
const machine = (name: string, minutesOld: number, phase: Machine['phase'] = 'Running'): Machine => ({
  name,
  cluster: 'c',
  providerId: `local:///c/${name}`,
  nodeProviderId: `local:///c/${name}`,
  phase,
  addresses: [],
  machineType: 'local',
  zone: 'local',
  tags: {},
  createdAt: new Date(now.getTime() - minutesOld * 60_000),
});

describe('selectOrphanMachines', () => {
  it('selects what nothing accounts for, oldest first, leftovers marked, the young protected', () => {
    const selected = selectOrphanMachines(
      [
        machine('kept', 60),
        machine('orphan', 30),
        machine('old-leftover', 90, 'Terminated'),
        machine('fresh', 2),
      ],
      { accountedFor: new Set(['kept']), now },
    );
    expect(
      selected.map((entry) => [entry.machine.name, entry.reason, entry.ageMs / 60_000, entry.tooYoung]),
    ).toEqual([
      ['old-leftover', 'leftover', 90, false],
      ['orphan', 'unaccounted', 30, false],
      ['fresh', 'unaccounted', 2, true],
    ]);
  });

  it('takes a test per machine and a minimum age', () => {
    const selected = selectOrphanMachines([machine('pool-a-1', 5), machine('other', 5)], {
      accountedFor: (candidate) => candidate.name.startsWith('pool-a-'),
      minAgeMs: 60_000,
      now,
    });
    expect(selected.map((entry) => [entry.machine.name, entry.tooYoung])).toEqual([['other', false]]);
  });
});
