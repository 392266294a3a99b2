import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallLog } from './call-log.js';
import type { FakeResponse } from './fake-types.js';
import { FaultInjector } from './fault-injector.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The real server behind the proxy (an emulator): `http://127.0.0.1:10000`. */
  readonly target: string;
  /** Names the action of a request, for fault rules and the call log. @default `METHOD` */
  readonly actionOf?: (method: string, url: URL) => string;
  /** Renders an injected throttle or server error in the service's own error shape. */
  readonly renderFault: (kind: 'throttle' | 'server-error', status: number) => FakeResponse;
  /** @default a new FaultInjector with seed 1 */
  readonly faults?: FaultInjector;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** The proxy's URL: use it where the client would use the target's. */
  readonly url: string;
  readonly faults: FaultInjector;
  readonly calls: CallLog;
  close(): Promise<void>;
}

/**
 * Puts the kit's fault injection in front of a real server that has none (an emulator such as
 * Azurite or s3rver): each request is forwarded unless a rule answers it with a throttle or a
 * server error first, delays it, or lets it through and then drops the connection before the
 * answer reaches the client (a lost response: the server acted, the client cannot know).
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults = options.faults ?? new FaultInjector();
  const calls = new CallLog();
  const sockets = new Set<Socket>();

  const answer = (response: ServerResponse, reply: FakeResponse) => {
    response.writeHead(reply.status, reply.headers ?? {});
    response.end(reply.body ?? '');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const at = Date.now();
    const url = new URL(`http://${target.host}${request.url ?? '/'}`);
    const action = options.actionOf?.(request.method ?? 'GET', url) ?? request.method ?? 'GET';
    const { failure, fault } = await faults.inject(action);
    if (failure && failure.kind !== 'lost-response') {
      request.resume();
      await new Promise((resolve) => request.once('end', resolve));
      const reply = options.renderFault(failure.kind as 'throttle' | 'server-error', failure.status ?? 500);
      calls.record({ action, at, status: reply.status, fault: failure.kind });
      answer(response, reply);
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (reply) => {
        if (failure?.kind === 'lost-response') {
          reply.resume();
          reply.once('end', () => {
            calls.record({ action, at, status: 0, fault: 'lost-response' });
            response.socket?.destroy();
          });
          return;
        }
        calls.record({ action, at, status: reply.statusCode ?? 0, ...(fault ? { fault } : {}) });
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    upstream.on('error', () => response.socket?.destroy());
    request.pipe(upstream);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.socket?.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    // Keep the target's path (Azurite's `/devstoreaccount1`).
    url: `${base}${target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '')}`,
    faults,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
