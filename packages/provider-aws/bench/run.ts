// Runs every `*.bench.ts` file of this folder (or those whose name contains an argument), one at a
// time, each in its own Node process (Node strips the types), against the built package.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  // s3rver lists past one page only with OpenSSL's legacy provider (see docs/environment).
  const result = spawnSync(process.execPath, ['--openssl-legacy-provider', join(folder, file)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${result.status ?? result.signal})`);
  }
}
if (files.length === 0) console.log('no benchmark matched');
process.exitCode = failed > 0 ? 1 : 0;
