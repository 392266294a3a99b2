import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backupStoreConformance } from '@trellis/testkit';
import { createLocalProvider } from '../src/index.js';

backupStoreConformance({
  name: 'local',
  setup: async () => {
    const root = await fs.mkdtemp(path.join(tmpdir(), 'trellis-local-backups-'));
    const provider = createLocalProvider({ stateDirectory: path.join(root, 'state') });
    return {
      store: provider.backupStore({ directory: path.join(root, 'backups'), prefix: 'etcd-main' }),
      cleanup: () => fs.rm(root, { recursive: true, force: true }),
    };
  },
});
