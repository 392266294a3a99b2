import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function runQuickstart(): Promise<{ code: number | null; pid: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-strip-types', 'src/main.ts'], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, pid: child.pid!, stdout, stderr }));
  });
}

it('runs the quickstart end to end and leaves no process behind', async () => {
  const run = await runQuickstart();
  expect(run.stderr).not.toMatch(/failed|could not|still serving/);
  expect(run.code).toBe(0);
  for (const name of ['web-0', 'web-1', 'web-2']) expect(run.stdout).toContain(`"hello from ${name}"`);
  expect(run.stdout).toContain('creating web-0 again returns the same machine: true');
  expect(run.stdout).toMatch(/restored Full-00000000-00000042-\d+: sha256 [0-9a-f]+… matches/);
  expect(run.stdout).toContain('no machine process is left');

  const { stdout: processes } = await promisify(execFile)('ps', ['-eo', 'pid,args']);
  expect(processes).not.toContain(`trellis-quickstart-${run.pid}`);
});
