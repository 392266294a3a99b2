import { afterEach, describe, expect, it } from 'vitest';
import { CallLog } from './call-log.js';
import { type FakeServer, startFakeServer } from './fake-server.js';
import { FaultInjector } from './fault-injector.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startCounter() {
  const state = { commits: 0 };
  server = await startFakeServer({
    actionOf: (request) => request.url.searchParams.get('Action') ?? 'Unknown',
    handle: () => {
      state.commits += 1;
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: `ok ${state.commits}` };
    },
    renderFault: (kind, _request, status) => ({ status, body: `fault ${kind}` }),
  });
  return { server, state };
}

describe('startFakeServer', () => {
  it('answers on 127.0.0.1 and records every call by action', async () => {
    const { server } = await startCounter();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/?Action=Ping`);
    expect(await response.text()).toBe('ok 1');
    await fetch(`${server.url}/?Action=Pong`);
    expect(server.calls.count()).toBe(2);
    expect(server.calls.count('Ping')).toBe(1);
    expect(server.calls.entries[0]).toMatchObject({ action: 'Ping', status: 200 });
  });

  it('throttles and fails without running the handler', async () => {
    const { server, state } = await startCounter();
    server.faults.add({ kind: 'throttle', actions: ['Ping'], times: 1 });
    server.faults.add({ kind: 'server-error', actions: ['Pong'], status: 503 });
    const throttled = await fetch(`${server.url}/?Action=Ping`);
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toBe('fault throttle');
    const failed = await fetch(`${server.url}/?Action=Pong`);
    expect(failed.status).toBe(503);
    expect(state.commits).toBe(0);
    const afterTimes = await fetch(`${server.url}/?Action=Ping`);
    expect(afterTimes.status).toBe(200);
    expect(server.calls.entries.map((entry) => entry.fault)).toEqual(['throttle', 'server-error', undefined]);
  });

  it('streams a body chunk by chunk and stops the stream when the client goes away', async () => {
    let finished = false;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = await startFakeServer({
      actionOf: () => 'watch',
      handle: () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        stream: async function* (closed) {
          try {
            yield '{"n":1}\n';
            await gate;
            yield '{"n":2}\n';
            await new Promise((resolve) => closed.addEventListener('abort', resolve));
          } finally {
            finished = true;
          }
        },
      }),
      renderFault: (_kind, _request, status) => ({ status }),
    });
    const aborter = new AbortController();
    const response = await fetch(`${server.url}/watch`, { signal: aborter.signal });
    expect(response.headers.get('content-length')).toBeNull();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('{"n":1}\n');
    release();
    expect(decoder.decode((await reader.read()).value)).toBe('{"n":2}\n');
    aborter.abort();
    await expect.poll(() => finished).toBe(true);
  });

  it('loses the response after the handler committed', async () => {
    const { server, state } = await startCounter();
    const remove = server.faults.add({ kind: 'lost-response' });
    await expect(fetch(`${server.url}/?Action=Ping`)).rejects.toThrow();
    expect(state.commits).toBe(1);
    expect(server.calls.entries[0]).toMatchObject({ action: 'Ping', status: 0, fault: 'lost-response' });
    remove();
    expect((await fetch(`${server.url}/?Action=Ping`)).status).toBe(200);
  });

  it('delays calls with latency faults and still answers', async () => {
    const { server } = await startCounter();
    server.faults.add({ kind: 'latency', latencyMs: 20 });
    const response = await fetch(`${server.url}/?Action=Ping`);
    expect(response.status).toBe(200);
    expect(server.calls.entries[0]?.fault).toBe('latency');
  });

  it('answers a throwing handler with a server error', async () => {
    server = await startFakeServer({
      actionOf: () => 'Boom',
      handle: () => {
        throw new Error('boom');
      },
      renderFault: (kind, _request, status) => ({ status, body: kind }),
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('server-error');
  });
});

describe('FaultInjector', () => {
  it('is deterministic for a seed and honours the rate', () => {
    const pattern = (seed: number) => {
      const faults = new FaultInjector({ seed });
      faults.add({ kind: 'throttle', rate: 0.3 });
      return Array.from({ length: 1000 }, () => faults.decide('X').length);
    };
    expect(pattern(7)).toEqual(pattern(7));
    const fired = pattern(7).reduce((sum, value) => sum + value, 0);
    expect(fired).toBeGreaterThan(220);
    expect(fired).toBeLessThan(380);
  });

  it('applies rules only to their actions, at most one failure per call, up to times', () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'latency', latencyMs: 5 });
    faults.add({ kind: 'lost-response', actions: ['RunInstances'], times: 2 });
    faults.add({ kind: 'server-error', actions: ['RunInstances'] });
    expect(faults.decide('DescribeInstances')).toEqual([{ kind: 'latency', latencyMs: 5 }]);
    expect(faults.decide('RunInstances').map((decision) => decision.kind)).toEqual([
      'latency',
      'lost-response',
    ]);
    expect(faults.decide('RunInstances').map((decision) => decision.kind)).toEqual([
      'latency',
      'lost-response',
    ]);
    expect(faults.decide('RunInstances').map((decision) => decision.kind)).toEqual([
      'latency',
      'server-error',
    ]);
    faults.clear();
    expect(faults.decide('RunInstances')).toEqual([]);
    expect(() => faults.add({ kind: 'throttle', rate: 2 })).toThrow(RangeError);
  });
});

describe('CallLog', () => {
  it('counts and resets', () => {
    const log = new CallLog();
    log.record({ action: 'A', at: 1, status: 200 });
    log.record({ action: 'B', at: 2, status: 400 });
    expect(log.count()).toBe(2);
    expect(log.count('B')).toBe(1);
    log.reset();
    expect(log.entries).toEqual([]);
  });
});
