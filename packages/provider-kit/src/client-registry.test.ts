import { describe, expect, it } from 'vitest';
import { ClientRegistry } from './client-registry.js';

describe('ClientRegistry', () => {
  it('builds each client once from the options, prefers a prebuilt one, and closes only what it built', async () => {
    const events: string[] = [];
    const prebuilt = { close: () => events.push('closed prebuilt') };
    const clients = new ClientRegistry({ endpoint: 'https://fake' }, { network: prebuilt });
    const make = (name: string) => (options: { endpoint: string }) => {
      events.push(`built ${name} for ${options.endpoint}`);
      return name === 'aws'
        ? { destroy: () => events.push(`destroyed ${name}`) }
        : { close: async () => events.push(`closed ${name}`) };
    };
    const compute = clients.client('compute', make('compute'));
    expect(clients.client('compute', make('compute'))).toBe(compute);
    expect(clients.client('network', make('network'))).toBe(prebuilt);
    clients.client('aws', make('aws'));
    await clients.close();
    expect(events).toEqual([
      'built compute for https://fake',
      'built aws for https://fake',
      'closed compute',
      'destroyed aws',
    ]);
    // After close, a call builds a fresh client.
    expect(clients.client('compute', make('compute'))).not.toBe(compute);
  });
});
