import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function isNotFound(error: unknown, specifier: string): boolean {
  const cause = error as NodeJS.ErrnoException | undefined;
  return (
    (cause?.code === 'ERR_MODULE_NOT_FOUND' || cause?.code === 'MODULE_NOT_FOUND') &&
    String(cause.message).includes(specifier)
  );
}

/**
 * Imports a provider package (`@trellis/provider-aws`, or its `./testing` entry): first as the CLI
 * itself resolves it (a provider installed next to the CLI), then from the working directory and
 * its parents (a project or the Trellis repository whose `package.json` depends on the provider,
 * where a strict layout such as pnpm's hides it from the CLI). The first error is kept when
 * neither finds the package, so `loadProvider` can say "not installed".
 */
export async function importProviderModule(specifier: string, directory = process.cwd()): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (error) {
    if (!isNotFound(error, specifier)) throw error;
    let resolved: string;
    try {
      resolved = createRequire(path.join(directory, 'package.json')).resolve(specifier);
    } catch {
      throw error;
    }
    return import(pathToFileURL(resolved).href);
  }
}
