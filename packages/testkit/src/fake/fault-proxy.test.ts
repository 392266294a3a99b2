import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from './fault-proxy.js';

describe('startFaultProxy', () => {
  it('forwards to the real server, answers injected faults itself, and drops lost responses after the server acted', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push(`${request.method} ${request.url} ${body}`);
        response.end(`echo ${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = await startFaultProxy({
      target: `http://127.0.0.1:${(server.address() as AddressInfo).port}/account`,
      actionOf: (method, url) => `${method} ${url.pathname}`,
      renderFault: (kind, status) => ({ status: kind === 'throttle' ? 503 : status, body: kind }),
    });
    try {
      expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/account$/);
      const send = (path: string) => fetch(`${proxy.url}${path}`, { method: 'PUT', body: 'x' });
      expect(await (await send('/a')).text()).toBe('echo x');
      proxy.faults.add({ kind: 'throttle', actions: ['PUT /account/b'], times: 1 });
      const throttled = await send('/b');
      expect([throttled.status, await throttled.text()]).toEqual([503, 'throttle']);
      proxy.faults.add({ kind: 'lost-response', actions: ['PUT /account/c'], times: 1 });
      await expect(send('/c')).rejects.toThrow();
      expect(received).toEqual(['PUT /account/a x', 'PUT /account/c x']);
      expect(proxy.calls.entries.map((entry) => [entry.action, entry.fault ?? null])).toEqual([
        ['PUT /account/a', null],
        ['PUT /account/b', 'throttle'],
        ['PUT /account/c', 'lost-response'],
      ]);
    } finally {
      await proxy.close();
      server.close();
    }
  });
});
