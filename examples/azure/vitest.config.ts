import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-azure', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
