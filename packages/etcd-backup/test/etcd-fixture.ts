import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EtcdServer, findExecutable, startEtcdServer } from '../src/index.js';

/** True when etcd and etcdctl are installed. In CI their absence is a failure, never a skip. */
export const etcdInstalled = Boolean(findExecutable('etcd') && findExecutable('etcdctl'));

if (!etcdInstalled) {
  const message =
    '\n!!! etcd/etcdctl not found on PATH: the etcd-backup tests against a real etcd are SKIPPED.\n' +
    '!!! Install them with `apt-get install -y etcd-server etcd-client`.\n';
  if (process.env.CI) throw new Error(`${message}In CI they must run.`);
  console.warn(message);
}

/** A temporary directory removed by the returned cleanup. */
export async function temporaryDirectory(label: string) {
  const path = await mkdtemp(join(tmpdir(), `trellis-etcd-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Starts a fresh etcd on loopback with a temporary data directory. */
export async function startTestEtcd(label: string): Promise<EtcdServer & { removeData(): Promise<void> }> {
  const directory = await temporaryDirectory(label);
  const server = await startEtcdServer({ dataDirectory: join(directory.path, 'data') });
  return {
    ...server,
    endpoint: server.endpoint,
    dataDirectory: server.dataDirectory,
    async stop() {
      await server.stop();
      await directory.remove();
    },
    removeData: directory.remove,
  };
}
