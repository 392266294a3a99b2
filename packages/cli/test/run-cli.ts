import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `trellis` binary these tests run. */
export const BIN = fileURLToPath(new URL('../dist/bin.mjs', import.meta.url));

/** What one run of the CLI printed and returned. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** A running CLI process, for tests that signal it. */
export function startCli(cwd: string, args: readonly string[]) {
  if (!existsSync(BIN)) throw new Error(`build the CLI first: ${BIN} is missing`);
  const { TRELLIS_PROVIDER: _provider, TRELLIS_CONFIG: _config, ...environment } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...environment, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(stdout);
      resolve({
        code,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        stdoutBytes,
      });
    });
  });
  return { child, result };
}

/** Runs `trellis <args>` in `cwd` with `input` on stdin (empty when not given). */
export async function runCli(
  cwd: string,
  args: readonly string[],
  input?: string | Buffer,
): Promise<CliResult> {
  const { child, result } = startCli(cwd, args);
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return result;
}

/** Parses a JSON document the CLI printed, failing with the output when it is not JSON. */
export function parseJson<T = unknown>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got:\n${text}`);
  }
}

/** A temp working directory with the given files; `remove()` deletes it. */
export async function createWorkspace(files: Record<string, string> = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'trellis-cli-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), content);
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** Waits until `check` returns true, polling; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True while a process with this pid runs (a zombie, dead but not yet reaped, does not count). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
