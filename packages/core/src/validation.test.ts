import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveSignal, throwIfAborted } from './call-options.js';
import { TrellisError } from './errors.js';
import { checkDns1123Label } from './names.js';
import { defineConfigSchema, formatFieldPath } from './validation.js';

const networkSchema = defineConfigSchema(
  'network config',
  z.object({
    networks: z.object({
      vpc: z.object({ cidr: z.string() }),
      zones: z.array(z.object({ name: z.string().min(1), workers: z.string().min(1) })).min(1),
    }),
  }),
);

describe('config validation', () => {
  it('formats field paths with indices', () => {
    expect(formatFieldPath(['networks', 'zones', 1, 'workers'])).toBe('networks.zones[1].workers');
    expect(formatFieldPath([])).toBe('');
  });

  it('reports every problem with its path, not only the first', () => {
    const result = networkSchema.validate({
      networks: { vpc: {}, zones: [{ name: 'a', workers: 'x' }, { name: '' }] },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => issue.path)).toEqual([
      'networks.vpc.cidr',
      'networks.zones[1].name',
      'networks.zones[1].workers',
    ]);
  });

  it('throws InvalidArgument with the issues from parse', () => {
    try {
      networkSchema.parse({});
      expect.unreachable();
    } catch (error) {
      expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
      expect((error as TrellisError).message).toMatch(/^invalid network config: networks: /);
    }
  });

  it('exports a JSON Schema of the input', () => {
    const schema = networkSchema.toJsonSchema();
    expect(schema.type).toBe('object');
    expect(JSON.stringify(schema)).toContain('"workers"');
  });

  it.each([
    ['worker-1', undefined],
    ['Worker', /DNS-1123/],
    ['-a', /DNS-1123/],
    ['a'.repeat(64), /at most 63/],
    ['', /required/],
  ])('checks the DNS-1123 label %j', (value, problem) => {
    const issue = checkDns1123Label(value, 'name');
    if (problem) expect(issue?.message).toMatch(problem);
    else expect(issue).toBeUndefined();
  });
});

describe('call options', () => {
  it('rejects an aborted signal with Canceled and a passed deadline with DeadlineExceeded', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => throwIfAborted(resolveSignal({ signal: controller.signal }))).toThrow(/canceled/);
    const signal = resolveSignal({ deadline: new Date(Date.now() - 1) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    try {
      throwIfAborted(signal);
      expect.unreachable();
    } catch (error) {
      expect((error as TrellisError).code).toBe('DeadlineExceeded');
    }
    expect(resolveSignal({})).toBeUndefined();
  });
});
