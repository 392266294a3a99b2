import { describe, expect, it } from 'vitest';
import { throwAwayKey } from './azure-machine-request.js';

describe('throwAwayKey', () => {
  it('is one OpenSSH RSA public key of 3072 bits per process, made off the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const [first, second] = await Promise.all([throwAwayKey(), throwAwayKey()]);
    clearInterval(timer);
    expect(first).toBe(second);
    expect(first).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=*$/);
    // type (11) + exponent (7) + modulus (4 + 385) bytes.
    expect(Buffer.from(first.split(' ')[1]!, 'base64').length).toBe(11 + 7 + 389);
    // The loop kept turning while the key was made.
    expect(ticks).toBeGreaterThan(0);
  });
});
