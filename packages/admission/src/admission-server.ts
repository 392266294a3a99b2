import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '@trellis/core';
import { AdmissionRequestError, type AdmissionReviewOptions, reviewAdmission } from './admission-review.js';

/** Options of {@link startAdmissionServer}. */
export interface AdmissionServerOptions extends AdmissionReviewOptions {
  /** PEM certificate (chain) and key files; reloaded when they change (a renewed Secret). */
  readonly certFile: string;
  readonly keyFile: string;
  /** @default 8443 */
  readonly port?: number;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** Largest request body accepted (413 beyond). @default 3 MiB, the API server's own limit */
  readonly maxBodyBytes?: number;
  /** How often the certificate files are checked for changes. @default 5000 */
  readonly reloadIntervalMs?: number;
  /** @default silent */
  readonly logger?: Logger;
}

/** A running admission webhook server. */
export interface AdmissionServer {
  readonly url: string;
  readonly port: number;
  /** Certificate reloads so far. */
  readonly reloads: number;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Reads a body up to `limit` bytes; undefined (and the connection closed) beyond it. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Serves the validating admission webhook over HTTPS: `POST` an `admission.k8s.io/v1`
 * `AdmissionReview` (JSON, at most `maxBodyBytes`), get the review's answer from
 * {@link reviewAdmission}. A body that is no JSON or no review is a 400, an oversized one a 413, any
 * other method a 405; nothing a client sends stops the server. The TLS certificate and key are
 * read again whenever their files change.
 */
export async function startAdmissionServer(options: AdmissionServerOptions): Promise<AdmissionServer> {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? 3 * 1024 * 1024;
  const readTls = () => ({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) });
  let reloads = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return reply(response, 405, { message: 'POST an AdmissionReview' });
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
      return reply(response, 415, { message: 'the body must be application/json' });
    }
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) {
      response.setHeader('connection', 'close');
      return reply(response, 413, { message: `the body is larger than ${maxBodyBytes} bytes` });
    }
    const body = await readBody(request, maxBodyBytes);
    if (!body) {
      response.setHeader('connection', 'close');
      reply(response, 413, { message: `the body is larger than ${maxBodyBytes} bytes` });
      request.destroy();
      return;
    }
    let review: unknown;
    try {
      review = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(response, 400, { message: 'the body is not JSON' });
    }
    try {
      const answer = await reviewAdmission(review, options);
      logger.debug({ uid: answer.response.uid, allowed: answer.response.allowed }, 'admission review');
      reply(response, 200, answer);
    } catch (error) {
      if (error instanceof AdmissionRequestError) return reply(response, 400, { message: error.message });
      throw error;
    }
  };

  const server: Server = createServer({ ...readTls() }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ error: String(error) }, 'admission review failed');
      if (!response.headersSent) reply(response, 500, { message: 'the review failed' });
      else response.destroy();
    });
  });
  const reload = () => {
    try {
      server.setSecureContext(readTls());
      reloads += 1;
      logger.info({ certFile: options.certFile }, 'reloaded the TLS certificate');
    } catch (error) {
      // A half-written pair: keep serving the old one; the next change reloads.
      logger.warn({ error: String(error) }, 'could not reload the TLS certificate');
    }
  };
  const interval = options.reloadIntervalMs ?? 5000;
  for (const file of [options.certFile, options.keyFile])
    watchFile(file, { interval, persistent: false }, reload);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    port,
    get reloads() {
      return reloads;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const file of [options.certFile, options.keyFile]) unwatchFile(file, reload);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
