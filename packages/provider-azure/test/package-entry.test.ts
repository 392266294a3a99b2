import { fileURLToPath } from 'node:url';
import { modulesLoadedBy as loadedBy } from '@trellis/testkit';
import { describe, expect, it } from 'vitest';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

const modulesLoadedBy = (specifier: string) =>
  loadedBy(specifier, { cwd: packageDirectory, expectExports: ['createAzureProvider', 'startArmFake'] });

describe('the published entries', () => {
  it('main entry loads neither the fakes, @trellis/testkit, vitest nor any Azure SDK package', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-azure');
    expect(loaded.some((url) => url.includes('/provider-azure/dist/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => /testkit|vitest|\/testing\//.test(url))).toEqual([]);
    expect(loaded.filter((url) => /@azure\//.test(url))).toEqual([]);
  });

  it('./testing loads the fakes (and the fake kit) without vitest', async () => {
    const loaded = await modulesLoadedBy('@trellis/provider-azure/testing');
    expect(loaded.some((url) => url.includes('/testkit/dist/fake/index.mjs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('vitest'))).toEqual([]);
  });
});
