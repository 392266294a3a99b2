import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/** A running Azurite Blob service. */
export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1`: the account's blob endpoint. */
  readonly blobEndpoint: string;
  /** A connection string for `@azure/storage-blob` and the backup config's `account`. */
  readonly connectionString: string;
  close(): Promise<void>;
}

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /** @default a free port */
  port?: number;
  /** Where to resolve the `azurite` package from. @default this package, then the working directory */
  resolveFrom?: string;
}

function azuriteBlobEntry(resolveFrom: string | undefined): string {
  const candidates = [resolveFrom, import.meta.url, join(process.cwd(), 'package.json')].filter(
    (value): value is string => Boolean(value),
  );
  for (const from of candidates) {
    try {
      const manifest = createRequire(from).resolve('azurite/package.json');
      return join(dirname(manifest), 'dist', 'src', 'blob', 'main.js');
    } catch {}
  }
  throw new Error('startAzurite needs the npm package `azurite` (a dev dependency): npm install -D azurite');
}

/**
 * Starts Azurite's Blob service (npm `azurite`, which must be installed) as a child process on
 * 127.0.0.1 with in-memory persistence, no telemetry and no API-version gate (the pinned
 * `@azure/storage-blob` speaks a newer service version than Azurite announces). Azurite ignores
 * SIGTERM after logging "closed", so `close` kills it.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      azuriteBlobEntry(options.resolveFrom),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(options.port ?? 0),
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /successfully listens on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`Azurite exited with ${code} before listening: ${output.slice(-500)}`)),
    );
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT.name}`;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT.name};AccountKey=${AZURITE_ACCOUNT.key};BlobEndpoint=${blobEndpoint};`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
