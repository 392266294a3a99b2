import { createHash, randomBytes } from 'node:crypto';
import type { BackupStore, Snapshot } from '@trellis/core';
import { detail } from './report.ts';

async function sha256(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Saves `payload` plus 8 MiB of random bytes as a full snapshot, lists the store, fetches the
 * snapshot back and checks it byte for byte (by SHA-256). Returns the snapshot for cleanup.
 */
export async function backupRoundTrip(store: BackupStore, payload: string): Promise<Snapshot> {
  const bytes = Buffer.concat([Buffer.from(payload), randomBytes(8 * 1024 * 1024)]);
  const expected = createHash('sha256').update(bytes).digest('hex');
  const snapshot: Snapshot = { kind: 'Full', startRevision: 0, lastRevision: 42, createdOn: new Date() };

  async function* chunks() {
    for (let offset = 0; offset < bytes.length; offset += 1024 * 1024)
      yield bytes.subarray(offset, offset + 1024 * 1024);
  }
  const stored = await store.save(snapshot, chunks());
  detail(`saved ${stored.key} (${stored.size ?? bytes.length} bytes)`);

  for (const listed of await store.list()) {
    detail(`listed ${listed.name}: ${listed.kind} revisions ${listed.startRevision}-${listed.lastRevision}`);
  }

  const restored = await sha256(await store.fetch(snapshot));
  if (restored !== expected) throw new Error(`restored snapshot differs: sha256 ${restored} != ${expected}`);
  detail(`restored ${stored.name}: sha256 ${restored.slice(0, 16)}… matches what was saved`);
  return snapshot;
}
