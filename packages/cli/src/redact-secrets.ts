const SECRET_KEY = /secret|password|passphrase|token|credential|private|key/i;

/** The text that replaces a secret value. */
export const REDACTED = '<redacted>';

/**
 * A deep copy of `value` in which every property whose name looks like a secret
 * (secret, password, token, key, credential, ...) is replaced by `<redacted>`.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    copy[name] = SECRET_KEY.test(name) && inner !== undefined ? REDACTED : redactSecrets(inner);
  }
  return copy;
}
