import { request as httpsRequest } from 'node:https';
import { ManualClock } from '@trellis/provider-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRouter, jsonResponse, queryAction, readJson } from './fake-router.js';
import { type FakeServer, startFakeServer } from './fake-server.js';
import type { FakeRequest } from './fake-types.js';
import { OperationStore, ResourceStore, VersionConflictError } from './resource-store.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const renderFault = (kind: string, _request: FakeRequest, status: number) =>
  jsonResponse(status, {
    error: { code: status, status: kind === 'throttle' ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' },
  });

function getOverTls(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('FakeRouter', () => {
  it('routes REST requests by method, path template and query, and names their actions', async () => {
    const store = new ResourceStore<{ name: string }>();
    const router = new FakeRouter()
      .add(
        'POST',
        '/compute/v1/projects/{project}/zones/{zone}/instances',
        'instances.insert',
        ({ request, params }) => {
          const body = readJson<{ name: string }>(request)!;
          store.put(`${params.project}/${params.zone}/${body.name}`, body);
          return jsonResponse(200, { kind: 'compute#operation', status: 'DONE' });
        },
      )
      .add(
        'GET',
        '/compute/v1/projects/{project}/zones/{zone}/instances/{name}',
        'instances.get',
        ({ params }) => {
          const found = store.get(`${params.project}/${params.zone}/${params.name}`);
          return found ? jsonResponse(200, found.value) : jsonResponse(404, { error: { code: 404 } });
        },
      )
      .add('PUT', '/container/{blob*}', 'blob.putBlockList', () => jsonResponse(201, {}), {
        query: { comp: 'blocklist' },
      });
    server = await startFakeServer({ actionOf: router.actionOf, handle: router.handle, renderFault });
    const base = `${server.url}/compute/v1/projects/p1/zones/europe-west1-b/instances`;
    const inserted = await fetch(base, { method: 'POST', body: JSON.stringify({ name: 'vm-1' }) });
    expect(inserted.status).toBe(200);
    expect(await (await fetch(`${base}/vm-1`)).json()).toEqual({ name: 'vm-1' });
    expect((await fetch(`${base}/vm-2`)).status).toBe(404);
    expect((await fetch(`${server.url}/container/a/b.gz?comp=blocklist`, { method: 'PUT' })).status).toBe(
      201,
    );
    expect((await fetch(`${server.url}/container/a/b.gz?comp=block`, { method: 'PUT' })).status).toBe(404);
    expect(server.calls.entries.map((entry) => entry.action)).toEqual([
      'instances.insert',
      'instances.get',
      'instances.get',
      'blob.putBlockList',
      'Unknown',
    ]);
  });

  it('reads query-style actions from a header, the query or a form body', () => {
    const request = (url: string, headers: Record<string, string> = {}, body = '') => ({
      method: 'POST',
      url: new URL(url, 'http://127.0.0.1'),
      headers,
      body: Buffer.from(body),
    });
    expect(queryAction(request('/', { 'x-acs-action': 'RunInstances' }), { header: 'x-acs-action' })).toBe(
      'RunInstances',
    );
    expect(queryAction(request('/?Action=DescribeInstances'))).toBe('DescribeInstances');
    expect(
      queryAction(
        request('/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=CreateVpc&Version=1'),
      ),
    ).toBe('CreateVpc');
    expect(queryAction(request('/'))).toBeUndefined();
  });
});

describe('startFakeServer over TLS', () => {
  it('serves HTTPS with a fresh certificate that a client trusts through its CA option only', async () => {
    server = await startFakeServer({
      actionOf: () => 'Ping',
      handle: () => jsonResponse(200, { ok: true }),
      renderFault,
      tls: true,
    });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.ca).toContain('BEGIN CERTIFICATE');
    await expect(getOverTls(server.url)).rejects.toThrow(/self-signed|certificate/i);
    expect(await getOverTls(server.url, server.ca)).toEqual({ status: 200, body: '{"ok":true}' });
  });
});

describe('rate limits in a fake', () => {
  it('answers throttled in the cloud shape when a bucket is empty, and refills on the injected clock', async () => {
    const clock = new ManualClock();
    let handled = 0;
    server = await startFakeServer({
      actionOf: () => 'instances.insert',
      handle: () => {
        handled += 1;
        return jsonResponse(200, {});
      },
      renderFault,
      rateLimits: {
        buckets: { write: { capacity: 2, refillPerSecond: 1 / 60 } },
        classify: () => [{ bucket: 'write', tokens: 1 }],
        clock,
      },
    });
    const statuses = async () => (await fetch(server!.url, { method: 'POST' })).status;
    expect([await statuses(), await statuses(), await statuses()]).toEqual([200, 200, 429]);
    expect(handled).toBe(2);
    expect(server.calls.entries[2]).toMatchObject({ status: 429, fault: 'throttle' });
    await clock.advance(60_000);
    expect(await statuses()).toBe(200);
  });
});

describe('ResourceStore and OperationStore', () => {
  it('versions every write and refuses a conditional write on another version', () => {
    const clock = new ManualClock(1000);
    const store = new ResourceStore<number>(clock);
    expect(store.put('a', 1, { ifVersion: 'absent' }).version).toBe(1);
    expect(() => store.put('a', 2, { ifVersion: 'absent' })).toThrow(VersionConflictError);
    expect(store.put('a', 2, { ifVersion: 1 })).toMatchObject({ version: 2, value: 2, createdAt: 1000 });
    expect(store.update('a', (value) => value + 1)?.version).toBe(3);
    store.put('b', 9);
    expect(store.list().map((item) => item.key)).toEqual(['a', 'b']);
    expect(store.delete('a')).toBe(true);
    expect(store.get('a')).toBeUndefined();
  });

  it('completes an operation after N polls, or after a time on the clock, or fails it', async () => {
    const clock = new ManualClock();
    const operations = new OperationStore<string>(clock);
    let visible = false;
    const byPolls = operations.start({
      target: 'vm-1',
      kind: 'insert',
      completeAfterPolls: 2,
      onComplete: () => (visible = true),
    });
    expect(operations.poll(byPolls.id)?.status).toBe('RUNNING');
    expect(visible).toBe(false);
    expect(operations.poll(byPolls.id)).toMatchObject({ status: 'DONE', polls: 2 });
    expect(visible).toBe(true);
    const byTime = operations.start({ target: 'vm-2', kind: 'delete', completeAfterMs: 5000 });
    expect(operations.poll(byTime.id)?.status).toBe('RUNNING');
    await clock.advance(5000);
    expect(operations.get(byTime.id)?.status).toBe('DONE');
    const failing = operations.start({
      target: 'vm-3',
      kind: 'insert',
      fail: 'QUOTA_EXCEEDED',
      onComplete: () => expect.unreachable(),
    });
    expect(operations.get(failing.id)).toMatchObject({ status: 'DONE', error: 'QUOTA_EXCEEDED' });
  });
});
