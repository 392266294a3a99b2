import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { CallLog } from './call-log.js';
import { FakeRateLimiter, type FakeRateLimits } from './fake-rate-limits.js';
import { createFakeTlsCertificate, type FakeTlsCertificate } from './fake-tls.js';
import type { FakeRequest, FakeResponse } from './fake-types.js';
import { FaultInjector } from './fault-injector.js';

/** A running fake: where it listens, what it received, and the faults it injects. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>`, or `https://…` with TLS */
  readonly url: string;
  readonly port: number;
  /** With TLS: the PEM certificate a client must trust (`tlsOptions.ca`). */
  readonly ca?: string;
  readonly calls: CallLog;
  readonly faults: FaultInjector;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/** Options of {@link startFakeServer}. */
export interface StartFakeServerOptions {
  /** Names the cloud action a request asks for (used for fault rules and the call log). */
  actionOf: (request: FakeRequest) => string;
  /** Answers one request; a thrown error is answered as a 500 server error through `renderFault`. */
  handle: (request: FakeRequest) => Promise<FakeResponse> | FakeResponse;
  /** Renders an injected throttle or server error in the cloud's own error shape. `status` is a
   *  suggestion (429 for throttling, the rule's status for server errors); the renderer may use its cloud's own. */
  renderFault: (kind: 'throttle' | 'server-error', request: FakeRequest, status: number) => FakeResponse;
  /** @default a new FaultInjector with seed 1 */
  faults?: FaultInjector;
  /** @default a new CallLog */
  calls?: CallLog;
  /**
   * Serve HTTPS: `true` makes a fresh self-signed certificate (its PEM is `FakeServer.ca`), or pass
   * one. Azure SDKs send bearer tokens only over TLS. @default plain HTTP
   */
  tls?: boolean | FakeTlsCertificate;
  /** Enforce the cloud's rate limits with token buckets; a call short of tokens is answered as throttled. */
  rateLimits?: FakeRateLimits;
  /**
   * Headers added to every answer (also throttled ones), e.g. the tokens left in each bucket, as
   * ARM's `x-ms-ratelimit-remaining-subscription-reads` says. `available` reads a bucket.
   */
  rateLimitHeaders?: (available: (bucket: string) => number | undefined) => Record<string, string>;
  /** @default 0, a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

async function readRequest(message: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return {
    method: message.method ?? 'GET',
    // The request target is a path even when it starts with `//` (arm-resources' getById sends
    // `//subscriptions/...`): resolved against a base URL it would be read as a host.
    url: new URL(`http://${message.headers.host ?? '127.0.0.1'}${message.url ?? '/'}`),
    headers: message.headers,
    body: Buffer.concat(chunks),
  };
}

function send(response: ServerResponse, answer: FakeResponse): void {
  if (answer.stream) {
    sendStream(response, answer.stream, answer);
    return;
  }
  const body = answer.body ?? '';
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

function sendStream(
  response: ServerResponse,
  stream: (closed: AbortSignal) => AsyncIterable<string | Buffer>,
  answer: FakeResponse,
): void {
  response.writeHead(answer.status, answer.headers);
  response.flushHeaders();
  const closed = new AbortController();
  response.once('close', () => closed.abort());
  void (async () => {
    try {
      for await (const chunk of stream(closed.signal)) {
        if (response.destroyed) break;
        response.write(chunk);
      }
      response.end();
    } catch {
      response.destroy();
    }
  })();
}

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) that routes each request to `handle`, applying
 * faults first: `'lost-response'` runs the handler (the action commits) and then destroys the socket
 * without answering; `'throttle'` and `'server-error'` answer with `renderFault` (the cloud's own
 * error shape) without running the handler; `'latency'` delays before handling. Every call is
 * recorded in `calls`.
 */
export async function startFakeServer(options: StartFakeServerOptions): Promise<FakeServer> {
  const calls = options.calls ?? new CallLog();
  const faults = options.faults ?? new FaultInjector();
  const sockets = new Set<Socket>();

  const onRequest = async (message: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = Date.now();
    const request = await readRequest(message);
    let action: string;
    try {
      action = options.actionOf(request);
    } catch {
      action = 'Unknown';
    }
    const injected = await faults.inject(action);
    let fault = injected.fault;
    let failure = injected.failure;
    if (!failure && limiter && !limiter.admit(action, request)) failure = { kind: 'throttle', status: 429 };
    if (failure) fault = failure.kind;

    const withLimits = (answer: FakeResponse): FakeResponse =>
      limiter && options.rateLimitHeaders
        ? {
            ...answer,
            headers: {
              ...answer.headers,
              ...options.rateLimitHeaders((bucket) => limiter.available(bucket)),
            },
          }
        : answer;
    if (failure && (failure.kind === 'throttle' || failure.kind === 'server-error')) {
      const answer = withLimits(options.renderFault(failure.kind, request, failure.status ?? 500));
      calls.record({ action, at, status: answer.status, fault });
      send(response, answer);
      return;
    }

    let answer: FakeResponse;
    try {
      answer = await options.handle(request);
    } catch {
      answer = options.renderFault('server-error', request, 500);
    }
    if (failure?.kind === 'lost-response') {
      calls.record({ action, at, status: 0, fault });
      response.socket?.destroy();
      return;
    }
    calls.record({ action, at, status: answer.status, ...(fault ? { fault } : {}) });
    send(response, withLimits(answer));
  };

  const limiter = options.rateLimits ? new FakeRateLimiter(options.rateLimits) : undefined;
  const certificate = options.tls === true ? await createFakeTlsCertificate() : options.tls || undefined;
  const listener = (message: IncomingMessage, response: ServerResponse) => {
    onRequest(message, response).catch(() => {
      if (!response.headersSent) {
        response.statusCode = 500;
        response.end();
      } else response.destroy();
    });
  };
  const server = certificate
    ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closed: Promise<void> | undefined;
  return {
    url: `${certificate ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...(certificate ? { ca: certificate.ca } : {}),
    calls,
    faults,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
