import {
  defineConfigSchema,
  type InfrastructureState,
  type InfrastructureStatus,
  TrellisError,
  z,
} from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { createInfrastructureProvider, type InfrastructureFlowInput } from './infrastructure-flow.js';

type Config = { cidr: string };
type Context = InfrastructureFlowInput<Config> & { calls: string[] };

const schema = defineConfigSchema(
  'test infrastructure config',
  z.strictObject({ cidr: z.string().regex(/^10\./, 'must be in 10/8') }),
);

/** A fake cloud of named resources and a flow that makes `network` then `subnet`. */
function subject(options: { failSubnet?: () => boolean } = {}) {
  const cloud = new Set<string>();
  const calls: string[] = [];
  const provider = createInfrastructureProvider<Config, InfrastructureStatus, Context>({
    provider: 'test',
    what: 'test infrastructure',
    schema,
    stepRetry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    isStepRetryable: (error) => TrellisError.hasCode(error, 'Unavailable'),
    checkUpdate: (state, config) =>
      state?.resources.subnet && state.resources.subnet.attributes?.cidr !== config.cidr
        ? [{ path: 'cidr', message: 'is immutable' }]
        : [],
    createContext: (input) => ({ ...input, calls }),
    plan: (context) => [
      {
        name: 'network',
        dependsOn: [],
        run: async () => {
          calls.push('network');
          cloud.add('network');
          context.state.set('network', { id: 'network', kind: 'network' });
        },
      },
      {
        name: 'subnet',
        dependsOn: ['network'],
        run: async () => {
          calls.push('subnet');
          if (options.failSubnet?.()) {
            throw new TrellisError({ code: 'Unavailable', message: 'backend error', provider: 'test' });
          }
          cloud.add('subnet');
          context.state.set('subnet', {
            id: 'subnet',
            kind: 'subnet',
            attributes: { cidr: context.config.cidr },
          });
        },
      },
    ],
    status: (context) => ({
      networkId: context.state.id('network') ?? '',
      subnets: [],
      securityGroupIds: [],
      egressAddresses: [],
    }),
    delete: async (context) => {
      for (const key of ['subnet', 'network']) {
        cloud.delete(key);
        context.state.remove(key);
        await context.saveState();
      }
    },
    toError: (error) =>
      TrellisError.isInstance(error)
        ? error
        : new TrellisError({ code: 'Internal', message: String(error), provider: 'test' }),
  });
  return { provider, cloud, calls };
}

const request = { cluster: 'c1', region: 'r1', config: { cidr: '10.0.0.0/16' } };

describe('createInfrastructureProvider', () => {
  it('rejects a bad request with every field path before any step runs', async () => {
    const { provider, calls } = subject();
    const error = await provider
      .reconcile({ cluster: 'Not_A_Label', region: '', config: { cidr: '192.168.0.0/16' } })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
    expect((error as TrellisError).issues.map((issue) => issue.path)).toEqual(['cluster', 'region', 'cidr']);
    expect((error as TrellisError).message).toMatch(/^invalid test infrastructure request/);
    expect(calls).toEqual([]);
  });

  it('reports the state after every step and returns the status', async () => {
    const { provider, cloud } = subject();
    const states: InfrastructureState[] = [];
    const result = await provider.reconcile(request, { onState: (state) => void states.push(state) });
    expect(states.map((state) => state.completedSteps)).toEqual([['network'], ['network', 'subnet']]);
    expect(states.at(-1)).toEqual(result.state);
    expect(result.status.networkId).toBe('network');
    expect([...cloud]).toEqual(['network', 'subnet']);
  });

  it('retries a retryable step and saves what a failed reconcile made', async () => {
    let failures = 1;
    const retried = subject({ failSubnet: () => failures-- > 0 });
    await expect(retried.provider.reconcile(request)).resolves.toBeDefined();
    expect(retried.calls).toEqual(['network', 'subnet', 'subnet']);

    const failing = subject({ failSubnet: () => true });
    const states: InfrastructureState[] = [];
    const error = await failing.provider
      .reconcile(request, { onState: (state) => void states.push(state) })
      .catch((caught: unknown) => caught);
    expect(TrellisError.hasCode(error, 'Unavailable')).toBe(true);
    expect(Object.keys(states.at(-1)?.resources ?? {})).toEqual(['network']);
  });

  it('refuses a change of an immutable field, read from the state', async () => {
    const { provider } = subject();
    const { state } = await provider.reconcile(request);
    const error = await provider
      .reconcile({ ...request, config: { cidr: '10.1.0.0/16' }, state })
      .catch((caught: unknown) => caught);
    expect((error as TrellisError).issues).toEqual([{ path: 'cidr', message: 'is immutable' }]);
    expect((error as TrellisError).message).toMatch(/^invalid test infrastructure config update/);
  });

  it('deletes with a state, and without one does nothing', async () => {
    const { provider, cloud } = subject();
    const { state } = await provider.reconcile(request);
    await provider.delete(request);
    expect(cloud.size).toBe(2);
    const states: InfrastructureState[] = [];
    await provider.delete({ ...request, state }, { onState: (saved) => void states.push(saved) });
    expect(cloud.size).toBe(0);
    expect(states.at(-1)?.resources).toEqual({});
  });

  it('rejects a state another provider wrote', async () => {
    const { provider } = subject();
    const state = { version: 'v1', provider: 'aws', resources: {}, completedSteps: [] } as const;
    const error = await provider.delete({ ...request, state }).catch((caught: unknown) => caught);
    expect((error as TrellisError).issues.map((issue) => issue.path)).toEqual(['state.provider']);
  });
});
