import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { modulesLoadedBy as loadedBy } from '@trellis/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

const modulesLoadedBy = (specifier: string) =>
  loadedBy(specifier, { cwd: packageDirectory, expectExports: ['createAwsProvider', 'startEc2Fake'] });

describe('the published entries', () => {
  it('main entry loads neither the fakes, @trellis/testkit, vitest nor any AWS SDK package', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-aws');
    expect(loaded.some((url) => url.includes('/provider-aws/dist/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => /testkit|vitest|\/testing\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /@aws-sdk|@smithy/.test(url))).toEqual([]);
  });

  it('a machine list loads EC2 only: not S3, IAM or lib-storage', async () => {
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { startEc2Fake } = await import('@trellis/provider-aws/testing');
      const fake = await startEc2Fake({ region: 'eu-west-1' });
      const before = loaded.length;
      const { createAwsProvider } = await import('@trellis/provider-aws');
      const provider = createAwsProvider({ region: 'eu-west-1', endpoint: fake.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      for await (const machine of provider.machines.listMachines({ cluster: 'c' })) void machine;
      await provider.close();
      await fake.close();
      process.stdout.write(JSON.stringify(loaded.slice(before)));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: packageDirectory,
    });
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((url) => url.includes('@aws-sdk/client-ec2'))).toBe(true);
    expect(loaded.filter((url) => /client-s3|client-iam|lib-storage/.test(url))).toEqual([]);
  });

  it('./testing loads the fakes (and the fake kit) without vitest', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-aws/testing');
    expect(loaded.some((url) => url.includes('/testkit/dist/fake/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('vitest'))).toEqual([]);
  });
});
