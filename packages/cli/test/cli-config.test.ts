import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli } from './run-cli.js';

type Schema = { properties: Record<string, { properties?: Record<string, unknown> }> };

describe('trellis config', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;

  beforeAll(async () => {
    workspace = await createWorkspace({
      'trellis.json': JSON.stringify({
        cluster: 'c1',
        machineClass: { machineType: 'BIG' },
        backup: { prefix: '../x' },
      }),
    });
  });

  afterAll(async () => {
    await workspace.remove();
  });

  it("exports the config file's JSON Schema with the provider's sections", async () => {
    const result = await runCli(workspace.directory, ['config', 'schema']);
    expect(result.code).toBe(0);
    const schema = parseJson<Schema>(result.stdout);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['provider', 'cluster', 'region', 'machineClass', 'infrastructure', 'backup']),
    );
    expect(schema.properties.infrastructure?.properties).toHaveProperty('networks');
    const generic = parseJson<Schema>(
      (await runCli(workspace.directory, ['config', 'schema', '--generic'])).stdout,
    );
    expect(generic.properties.infrastructure?.properties).toBeUndefined();
  });

  it('validates every section at once, reporting every field path', async () => {
    const result = await runCli(workspace.directory, ['config', 'validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\n  machineClass.machineType: ');
    expect(result.stderr).toContain('\n  backup.prefix: ');
  });
});
