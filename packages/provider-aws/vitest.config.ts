import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'provider-aws',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // s3rver's ListObjectsV2 continuation tokens use a cipher OpenSSL 3 only has in its legacy
    // provider: without it, listing past one page (1000 keys) fails with a 500.
    execArgv: ['--openssl-legacy-provider'],
  },
});
