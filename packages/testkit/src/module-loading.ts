import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Imports `specifier` in a fresh Node process started in `cwd` and returns the URL of every module
 * it loaded — how a package proves its main entry loads no test code and no SDK before use. The
 * import must export one of `expectExports` (so a broken entry cannot pass by loading nothing).
 *
 * @example
 * ```ts
 * const loaded = await modulesLoadedBy('@trellis/provider-aws', { cwd, expectExports: ['createAwsProvider'] });
 * expect(loaded.filter((url) => /@aws-sdk/.test(url))).toEqual([]);
 * ```
 */
export async function modulesLoadedBy(
  specifier: string,
  options: { cwd: string; expectExports: readonly string[] },
): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const entry = await import(${JSON.stringify(specifier)});
    if (!${JSON.stringify(options.expectExports)}.some((name) => typeof entry[name] === 'function')) process.exit(3);
    process.stdout.write(JSON.stringify(loaded));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: options.cwd });
  return JSON.parse(stdout) as string[];
}
