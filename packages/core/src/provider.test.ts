import { describe, expect, it } from 'vitest';
import { TrellisError } from './errors.js';
import { loadProvider, type ProviderDefinition, registeredProviders, registerProvider } from './provider.js';

const definition: ProviderDefinition = {
  type: 'unit-test-cloud',
  create: () => {
    throw new Error('not used');
  },
};

describe('loadProvider', () => {
  it('returns a registered provider without importing anything', async () => {
    registerProvider(definition);
    expect(registeredProviders()).toContain('unit-test-cloud');
    await expect(loadProvider('unit-test-cloud', () => Promise.reject(new Error('no import')))).resolves.toBe(
      definition,
    );
  });

  it('imports @trellis/provider-<type> and registers its providerDefinition', async () => {
    const imported: string[] = [];
    const other = { ...definition, type: 'imported-cloud' };
    const loaded = await loadProvider('imported-cloud', async (specifier) => {
      imported.push(specifier);
      return { providerDefinition: other };
    });
    expect(loaded).toBe(other);
    expect(imported).toEqual(['@trellis/provider-imported-cloud']);
  });

  it('says NotFound, naming the package, when the provider is not installed', async () => {
    const error = await loadProvider('nosuchcloud', (specifier) => import(specifier)).catch(
      (caught) => caught,
    );
    expect(TrellisError.hasCode(error, 'NotFound')).toBe(true);
    expect(error.message).toContain('npm install @trellis/provider-nosuchcloud');
  });

  it('says Internal when the package is installed but fails to load', async () => {
    const broken = Object.assign(new Error("Cannot find package 'left-pad' imported from /x/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await loadProvider('brokencloud', () => Promise.reject(broken)).catch((caught) => caught);
    expect(TrellisError.hasCode(error, 'Internal')).toBe(true);
    expect(error.message).toMatch(/installed but failed to load: Cannot find package 'left-pad'/);
  });

  it('rejects a type name that cannot be a package name', async () => {
    const error = await loadProvider('../evil', () => Promise.reject(new Error('no'))).catch(
      (caught) => caught,
    );
    expect(TrellisError.hasCode(error, 'InvalidArgument')).toBe(true);
  });
});
