import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, parseJson, runCli, startCli, waitFor } from './run-cli.js';

async function filesUnder(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

describe('trellis cancellation', () => {
  let workspace: Awaited<ReturnType<typeof createWorkspace>>;

  beforeAll(async () => {
    workspace = await createWorkspace({
      'trellis.yaml': 'cluster: cancel\nbackup:\n  directory: snapshots\n',
    });
  });

  afterAll(async () => {
    await workspace.remove();
  });

  it('aborts a running save on SIGINT with exit code 130 and leaves no snapshot', async () => {
    const { directory } = workspace;
    const { child, result } = startCli(directory, ['backup', 'save', '-', '--last-revision', '5']);
    child.stdin.write(Buffer.alloc(256 * 1024, 1));
    await waitFor(async () => (await filesUnder(join(directory, 'snapshots'))).length > 0, 30_000);
    child.kill('SIGINT');
    const { code, stderr } = await result;
    expect(code).toBe(130);
    expect(stderr).toMatch(/error \[Canceled\]/);
    const listed = await runCli(directory, ['backup', 'list', '-o', 'json']);
    expect(parseJson(listed.stdout)).toEqual([]);
  });
});
