import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'provider-kit', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
});
