import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeTlsCertificate } from '@trellis/testkit/fake';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the webhook example', () => {
  it('serves with the mounted certificate, denies a bad config at its field path, and stops on SIGTERM', async () => {
    const tls = await mkdtemp(join(tmpdir(), 'trellis-webhook-'));
    const certificate = await createFakeTlsCertificate();
    await writeFile(join(tls, 'tls.crt'), certificate.cert);
    await writeFile(join(tls, 'tls.key'), certificate.key);
    const child = spawn(process.execPath, [join(root, 'src', 'serve.ts')], {
      cwd: root,
      env: { ...process.env, TLS_DIR: tls, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const line = output.split('\n').find((entry) => entry.includes('listening'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`the webhook exited with ${code}`)));
      });
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: '1',
          operation: 'CREATE',
          kind: { group: 'extensions.gardener.cloud', version: 'v1alpha1', kind: 'Infrastructure' },
          object: {
            spec: { type: 'aws', providerConfig: { networks: { vpc: { cidr: '10.0.0.0/33' }, zones: [] } } },
          },
        },
      });
      const answer = await new Promise<{ response: { allowed: boolean; status: { message: string } } }>(
        (resolve, reject) => {
          const call = request(
            `${url}/validate`,
            { method: 'POST', ca: certificate.ca, headers: { 'content-type': 'application/json' } },
            (response) => {
              let text = '';
              response.on('data', (chunk: Buffer) => {
                text += chunk.toString('utf8');
              });
              response.on('end', () => resolve(JSON.parse(text)));
            },
          );
          call.on('error', reject);
          call.end(body);
        },
      );
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status.message).toContain('spec.providerConfig.networks.vpc.cidr');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(tls, { recursive: true, force: true });
    }
  });
});
