import { describe, expect, it } from 'vitest';
import { TrellisError } from './errors.js';
import { emptyInfrastructureState } from './infrastructure-provider.js';
import { parseInfrastructureState, validateInfrastructureState } from './infrastructure-state.js';

const state = {
  version: 'v1',
  provider: 'aws',
  resources: {
    vpc: { id: 'vpc-1', kind: 'vpc', attributes: { cidr: '10.0.0.0/16', zones: 3, shared: false } },
    'subnet/a': { id: 'subnet-1', kind: 'subnet', managed: false },
  },
  completedSteps: ['vpc', 'subnet/a'],
};

function rejection(action: () => unknown): TrellisError {
  try {
    action();
  } catch (error) {
    if (TrellisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a TrellisError');
}

describe('infrastructure state', () => {
  it('returns a valid state unchanged', () => {
    expect(parseInfrastructureState(state)).toEqual(state);
    expect(parseInfrastructureState(state, { provider: 'aws' })).toEqual(state);
    expect(parseInfrastructureState(emptyInfrastructureState('local'))).toEqual(
      emptyInfrastructureState('local'),
    );
  });

  it('reports every problem with its field path as InvalidArgument', () => {
    const error = rejection(() =>
      parseInfrastructureState({
        version: 'v2',
        resources: { vpc: { id: 1 }, zone: { id: 'z', kind: 'zone', attributes: { list: [] } } },
        completedSteps: ['vpc', 7],
      }),
    );
    expect(error.code).toBe('InvalidArgument');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'version',
      'provider',
      'resources.vpc.id',
      'resources.vpc.kind',
      'resources.zone.attributes.list',
      'completedSteps[1]',
    ]);
    expect(error.message).toMatch(/^invalid infrastructure state: version: /);
  });

  it('puts the given path before every issue', () => {
    const result = validateInfrastructureState(
      { ...state, resources: [], completedSteps: 'all' },
      {
        path: 'state',
      },
    );
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => issue.path)).toEqual(['state.resources', 'state.completedSteps']);
    const root = validateInfrastructureState('not a state', { path: 'state' });
    expect(!root.success && root.issues.map((issue) => issue.path)).toEqual(['state']);
  });

  it('rejects a state written by another provider on its provider field', () => {
    const result = validateInfrastructureState(state, { provider: 'local', path: 'state' });
    expect(result).toEqual({
      success: false,
      issues: [{ path: 'state.provider', message: 'state was written by "aws", not "local"' }],
    });
    const error = rejection(() => parseInfrastructureState(state, { provider: 'local' }));
    expect(error.code).toBe('InvalidArgument');
    expect(error.provider).toBe('local');
    expect(error.issues).toEqual([{ path: 'provider', message: 'state was written by "aws", not "local"' }]);
  });

  it('reports a missing provider once, as a missing field', () => {
    const result = validateInfrastructureState({ ...state, provider: '' }, { provider: 'local' });
    expect(!result.success && result.issues.map((issue) => issue.path)).toEqual(['provider']);
  });
});
