import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli } from './run-cli.js';

const NETWORK = (zones: string) => `cluster: bad-input
region: local
infrastructure:
  networks:
    cidr: 10.0.0.0/16
    zones:
${zones}`;

const EXIT_CODE_OF: Record<string, number> = { InvalidArgument: 2, NotFound: 3, Internal: 1 };

interface ErrorOutput {
  error: { code: string; exitCode: number; message: string; issues: { path: string; message: string }[] };
}

describe('trellis bad input', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;
  const run = (args: string[], input?: string) => runCli(workspace.directory, args, input);
  const stateFile = () => join(workspace.directory, '.trellis', 'infra-bad-input.json');

  beforeAll(async () => {
    workspace = await createWorkspace({
      'invalid-cidr.yaml': NETWORK('      - name: zone-a\n        workers: 10.0.300.0/24\n'),
      'overlap.yaml': NETWORK(
        '      - name: zone-a\n        workers: 10.0.0.0/24\n      - name: zone-b\n        workers: 10.0.0.128/25\n',
      ),
      'good.yaml': NETWORK('      - name: zone-a\n        workers: 10.0.0.0/24\n'),
    });
  });

  afterAll(async () => {
    await workspace.remove();
  });

  it('shows an invalid CIDR with its field path and exit code 2, creating nothing', async () => {
    const result = await run(['-c', 'invalid-cidr.yaml', 'infra', 'reconcile']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error \[InvalidArgument\]: invalid local infrastructure config in invalid-cidr.yaml\n/,
    );
    expect(result.stderr).toContain(
      '\n  infrastructure.networks.zones[0].workers: "10.0.300.0/24" is not a CIDR',
    );
    expect((await run(['-c', 'invalid-cidr.yaml', 'infra', 'status'])).code).toBe(3);
  });

  it('shows an overlapping zone with its field path, also as JSON', async () => {
    const result = await run(['-c', 'overlap.yaml', 'infra', 'reconcile', '-o', 'json']);
    expect(result.code).toBe(2);
    const { error } = parseJson<ErrorOutput>(result.stderr);
    expect(error).toMatchObject({ code: 'InvalidArgument', exitCode: 2 });
    expect(error.issues).toContainEqual({
      path: 'infrastructure.networks.zones[1].workers',
      message: expect.stringContaining('overlaps networks.zones[0].workers'),
    });
    expect(result.stdout).toBe('');
  });

  it('rejects a machine name that is not DNS-1123 before creating anything', async () => {
    const result = await run(['--cluster', 'bad-input', 'machine', 'create', 'Web_Server']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error \[InvalidArgument\]: invalid machine name\n {2}name: "Web_Server" must be a DNS-1123 label/,
    );
    const listed = await run(['--cluster', 'bad-input', 'machine', 'list', '-o', 'json']);
    expect(parseJson(listed.stdout)).toEqual([]);
  });

  it('names a missing config file with NotFound and exit code 3', async () => {
    const result = await run(['-c', 'missing.yaml', 'machine', 'list']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('error [NotFound]: config file missing.yaml does not exist\n');
  });

  it('reports config file problems with their field paths', async () => {
    await writeFile(
      join(workspace.directory, 'typo.yaml'),
      'cluster: Bad_Cluster\nregoin: x\nmachineClass: 3\n',
    );
    const result = await run(['-c', 'typo.yaml', 'machine', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\n  cluster: must be a DNS-1123 label');
    expect(result.stderr).toContain('\n  regoin: unknown field');
    expect(result.stderr).toContain('\n  machineClass: ');
  });

  it('never touches a corrupt state file and shows what is wrong', async () => {
    const reconciled = await run(['-c', 'good.yaml', 'infra', 'reconcile']);
    expect(reconciled.code).toBe(0);
    const valid = JSON.parse(await readFile(stateFile(), 'utf8'));
    const corruptions = [
      (await readFile(stateFile(), 'utf8')).slice(0, 40),
      JSON.stringify({ ...valid, state: { ...valid.state, resources: [], completedSteps: 'all' } }),
    ];
    for (const corrupt of corruptions) {
      await writeFile(stateFile(), corrupt);
      for (const command of ['reconcile', 'delete', 'status']) {
        const result = await run(['-c', 'good.yaml', 'infra', command]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(
          /^error \[InvalidArgument\]: state file .trellis\/infra-bad-input.json is corrupt/,
        );
        expect(await readFile(stateFile(), 'utf8')).toBe(corrupt);
      }
    }
    const fields = await run(['-c', 'good.yaml', 'infra', 'delete', '-o', 'json']);
    expect(parseJson<ErrorOutput>(fields.stderr).error.issues.map((issue) => issue.path)).toEqual([
      'state.resources',
      'state.completedSteps',
    ]);
    await writeFile(stateFile(), JSON.stringify(valid));
    const deleted = await run(['-c', 'good.yaml', 'infra', 'delete']);
    expect(deleted.code).toBe(0);
  });

  it('shows a corrupt provider state file (a local machine record) and leaves it untouched', async () => {
    const created = await run(['--cluster', 'bad-input', 'machine', 'create', 'record', '-o', 'json']);
    expect(created.code).toBe(0);
    const record = join(
      workspace.directory,
      '.trellis',
      'local',
      'machines',
      'bad-input',
      'record',
      'machine.json',
    );
    const original = await readFile(record, 'utf8');
    try {
      await writeFile(record, original.slice(0, 20));
      const result = await run(['--cluster', 'bad-input', 'machine', 'get', 'record', '-o', 'json']);
      const { error } = parseJson<ErrorOutput>(result.stderr);
      expect(error.message).toContain('machine.json');
      expect(error.message).toMatch(/state file .*machine\.json is corrupt/);
      // The same answer as a damaged infrastructure state file: InvalidArgument, exit 2.
      expect(error.code).toBe('InvalidArgument');
      expect(result.code).toBe(2);
      expect(result.code).toBe(error.exitCode);
      expect(error.exitCode).toBe(EXIT_CODE_OF[error.code]);
      expect(await readFile(record, 'utf8')).toBe(original.slice(0, 20));
    } finally {
      await writeFile(record, original);
      expect((await run(['--cluster', 'bad-input', 'machine', 'delete', 'record'])).code).toBe(0);
    }
  });

  it('names the package to install for an unknown provider', async () => {
    const result = await run(['--provider', 'nosuchcloud', '--cluster', 'x', 'machine', 'list']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error [NotFound]: provider "nosuchcloud" is not installed');
    expect(result.stderr).toContain('@trellis/provider-nosuchcloud');
  });

  it('treats usage errors as exit code 2 and documents exit codes in --help', async () => {
    const unknown = await run(['machine', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error \[InvalidArgument\]: unknown command 'frobnicate'/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toMatch(/130\s+canceled/);
  });

  it('never prints secrets when showing the config', async () => {
    await writeFile(
      join(workspace.directory, 'secret.yaml'),
      'cluster: s\nproviderSettings:\n  accessKeyId: AKIDEXAMPLE\n  secretAccessKey: hunter2-secret\n  sessionToken: tok-123\n',
    );
    const result = await run(['-c', 'secret.yaml', 'config', 'show', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).not.toContain('tok-123');
    expect(
      parseJson<{ providerSettings: Record<string, string> }>(result.stdout).providerSettings,
    ).toMatchObject({
      secretAccessKey: '<redacted>',
      sessionToken: '<redacted>',
    });
  });
});
