import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-admission-webhook', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
