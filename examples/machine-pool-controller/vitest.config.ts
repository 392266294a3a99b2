import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-machine-pool-controller', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
