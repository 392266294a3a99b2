import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it('hides values of secret-looking keys at any depth and keeps the rest', () => {
    const input = {
      region: 'eu-west-1',
      credentials: { user: 'u' },
      nested: [{ clientSecret: 's3cr3t', name: 'n', apiKey: 'k', password: 'p', sessionToken: 't' }],
    };
    const output = redactSecrets(input);
    expect(output).toEqual({
      region: 'eu-west-1',
      credentials: REDACTED,
      nested: [
        { clientSecret: REDACTED, name: 'n', apiKey: REDACTED, password: REDACTED, sessionToken: REDACTED },
      ],
    });
    expect(JSON.stringify(output)).not.toMatch(/s3cr3t|"k"|"p"|"t"/);
    expect(input.nested[0]?.clientSecret).toBe('s3cr3t');
  });
});
