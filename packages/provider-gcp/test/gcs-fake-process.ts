import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The GCS fake in a child process, so a test that measures this process's memory measures the
 * store's, not the fake's (which keeps every object in memory).
 */
export async function startGcsFakeProcess(): Promise<{ url: string; close(): Promise<void> }> {
  const entry = fileURLToPath(new URL('../dist/testing/index.mjs', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startGcsFake } = await import(${JSON.stringify(entry)}); const fake = await startGcsFake(); console.log(fake.url);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`the GCS fake exited with ${code}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
