import { execFile } from 'node:child_process';
import { TrellisError } from '@trellis/core';
import { findExecutable } from './etcd-server.js';

/** `etcdctl snapshot status -w json` of a snapshot file. */
export interface SnapshotFileStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** Member settings baked into a restored data directory. */
export interface RestoreMemberOptions {
  /** @default 'default' */
  name?: string;
  /** @default 'http://localhost:2380' */
  initialAdvertisePeerUrls?: string;
  /** @default `<name>=<initialAdvertisePeerUrls>` */
  initialCluster?: string;
  /** @default 'etcd-cluster' */
  initialClusterToken?: string;
}

interface Tool {
  binary: string;
  /** etcdutl takes snapshot restore/status offline; etcdctl needs ETCDCTL_API=3. */
  kind: 'etcdutl' | 'etcdctl';
}

function snapshotTool(): Tool {
  const etcdutl = findExecutable('etcdutl');
  if (etcdutl) return { binary: etcdutl, kind: 'etcdutl' };
  const etcdctl = findExecutable('etcdctl');
  if (etcdctl) return { binary: etcdctl, kind: 'etcdctl' };
  throw new TrellisError({
    code: 'Unavailable',
    message: 'neither etcdutl nor etcdctl is on PATH (install etcd-client)',
    operation: 'restore',
  });
}

function run(tool: Tool, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.binary,
      args,
      { env: { ...process.env, ETCDCTL_API: '3' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${tool.kind} ${args.slice(0, 2).join(' ')}: ${String(stderr || error.message).trim()}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** Reads a snapshot file's revision and key count with `etcdutl`/`etcdctl snapshot status`. */
export async function snapshotFileStatus(file: string): Promise<SnapshotFileStatus> {
  const output = await run(snapshotTool(), ['snapshot', 'status', file, '-w', 'json']);
  return JSON.parse(output) as SnapshotFileStatus;
}

/**
 * Restores a snapshot file into a new data directory with `etcdutl snapshot restore`
 * (`ETCDCTL_API=3 etcdctl snapshot restore` when etcdutl is absent); etcd checks the
 * snapshot's sha256 trailer on the way, unless `hashVerified` says the caller did so already over
 * exactly these bytes (as `restoreEtcd` does while it fetches them): then etcd does not read the
 * file a second time for it. `walDirectory` puts the write-ahead log elsewhere (`--wal-dir`).
 */
export async function restoreSnapshotFile(
  file: string,
  dataDirectory: string,
  member: RestoreMemberOptions = {},
  options: { hashVerified?: boolean; walDirectory?: string } = {},
): Promise<void> {
  const name = member.name ?? 'default';
  const peerUrls = member.initialAdvertisePeerUrls ?? 'http://localhost:2380';
  await run(snapshotTool(), [
    'snapshot',
    'restore',
    file,
    `--data-dir=${dataDirectory}`,
    `--name=${name}`,
    `--initial-advertise-peer-urls=${peerUrls}`,
    `--initial-cluster=${member.initialCluster ?? `${name}=${peerUrls}`}`,
    `--initial-cluster-token=${member.initialClusterToken ?? 'etcd-cluster'}`,
    ...(options.hashVerified ? ['--skip-hash-check'] : []),
    ...(options.walDirectory ? [`--wal-dir=${options.walDirectory}`] : []),
  ]);
}
