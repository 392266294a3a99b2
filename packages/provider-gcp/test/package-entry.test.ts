import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

/** Imports `specifier` in a fresh Node process and returns every module URL it loaded. */
async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const entry = await import(${JSON.stringify(specifier)});
    if (typeof entry.createGcpProvider !== 'function' && typeof entry.startGceFake !== 'function') process.exit(3);
    process.stdout.write(JSON.stringify(loaded));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDirectory,
  });
  return JSON.parse(stdout) as string[];
}

describe('the published entries', () => {
  it('main entry loads neither the fakes, @trellis/testkit, vitest nor any Google SDK package', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-gcp');
    expect(loaded.some((url) => url.includes('/provider-gcp/dist/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => /testkit|vitest|\/testing\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /@google-cloud|google-gax|google-auth-library/.test(url))).toEqual([]);
  });

  it('./testing loads the fakes (and the fake kit) without vitest', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-gcp/testing');
    expect(loaded.some((url) => url.includes('/testkit/dist/fake/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('vitest'))).toEqual([]);
  });
});
