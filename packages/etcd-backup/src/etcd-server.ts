import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { TrellisError } from '@trellis/core';

/** Finds an executable on `PATH`; undefined when absent. */
export function findExecutable(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound once on port 0, then released). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link startEtcdServer}. */
export interface EtcdServerOptions {
  /** Data directory (created by etcd when absent). */
  dataDirectory: string;
  /** Member name. @default 'default' */
  name?: string;
  /** The etcd binary. @default `etcd` on PATH */
  binary?: string;
  /** Extra command-line flags. */
  extraArguments?: string[];
  /** How long to wait for the server to answer. @default 30_000 */
  startTimeoutMs?: number;
}

/** A running etcd started by {@link startEtcdServer}, bound to loopback only. */
export interface EtcdServer {
  /** Client URL, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly dataDirectory: string;
  /** Recent output of the process, for error messages. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

async function waitForHealth(endpoint: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return true;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/**
 * Starts a single-member etcd whose client, peer and metrics URLs are all on 127.0.0.1 free
 * ports, and waits until it is healthy.
 */
export async function startEtcdServer(options: EtcdServerOptions): Promise<EtcdServer> {
  const binary = options.binary ?? findExecutable('etcd');
  if (!binary) {
    throw new TrellisError({
      code: 'Unavailable',
      message: 'no etcd binary found on PATH (install etcd-server)',
      operation: 'startEtcd',
    });
  }
  const name = options.name ?? 'default';
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const [clientPort, peerPort, metricsPort] = [
      await findFreePort(),
      await findFreePort(),
      await findFreePort(),
    ];
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const child = spawn(
      binary,
      [
        `--name=${name}`,
        `--data-dir=${options.dataDirectory}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${name}=${peer}`,
        `--listen-metrics-urls=http://127.0.0.1:${metricsPort}`,
        ...(options.extraArguments ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-16_384);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    };
    if (await waitForHealth(endpoint, child, options.startTimeoutMs ?? 30_000)) {
      return { endpoint, dataDirectory: options.dataDirectory, output: () => output, stop };
    }
    await stop();
    lastError = output;
    // A port taken between probing and binding: try again with new ports.
    if (!/address already in use/.test(output)) break;
  }
  throw new TrellisError({
    code: 'Unavailable',
    message: `etcd did not start: ${lastError.split('\n').slice(-5).join('\n')}`,
    operation: 'startEtcd',
  });
}
