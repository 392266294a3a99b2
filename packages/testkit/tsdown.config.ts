import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/fake/index.ts'],
  format: 'esm',
  dts: true,
  platform: 'node',
  target: 'node22',
});
