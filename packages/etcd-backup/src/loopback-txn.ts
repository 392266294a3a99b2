import { type ClientHttp2Session, type ClientHttp2Stream, connect } from 'node:http2';
import { createRequire } from 'node:module';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import type { ITxnRequest, ITxnResponse } from 'etcd3';

/** etcd's KV.Txn request and response codec. */
interface TxnCodec {
  encode(request: ITxnRequest): Buffer;
  decode(message: Buffer): ITxnResponse;
}

let codec: TxnCodec | undefined;

/**
 * The codec etcd3 itself uses: its own `rpc.proto`, loaded with its loader options, so a request
 * object means here exactly what it means to `client.kv.txn`. Loaded on first use (~30 ms).
 */
function txnCodec(): TxnCodec {
  if (!codec) {
    const proto = createRequire(import.meta.url).resolve('etcd3/proto/rpc.proto');
    const definition = loadSync(proto, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const method = definition['etcdserverpb.KV'] as Record<
      string,
      MethodDefinition<ITxnRequest, ITxnResponse>
    >;
    const txn = method.Txn as MethodDefinition<ITxnRequest, ITxnResponse>;
    codec = { encode: txn.requestSerialize, decode: txn.responseDeserialize };
  }
  return codec;
}

/** A gRPC error status etcd answered with. */
export class TxnStatusError extends Error {
  readonly grpcStatus: number;
  constructor(grpcStatus: number, message: string) {
    super(`${message || 'no message'} (gRPC status ${grpcStatus})`);
    this.name = 'TxnStatusError';
    this.grpcStatus = grpcStatus;
  }
}

/**
 * etcd KV.Txn calls to the restore's own loopback etcd, over one HTTP/2 connection, as gRPC's
 * documented framing (a 5-byte length prefix, status in trailers), without grpc-js. A restore
 * makes one transaction per source revision; with grpc-js (through etcd3 or directly), Node spent
 * ~0.3-0.4 ms of CPU on each, as much as etcd spent applying it, on the restore's critical path;
 * here ~0.17 ms (measured: 2,048 windowed transactions, 0.35-0.38 s of Node CPU against
 * 0.61-0.87 s). A request is encoded once and can be sent any number of times.
 */
export class LoopbackTxnClient {
  readonly #session: ClientHttp2Session;
  #failure: Error | undefined;

  constructor(endpoint: string) {
    this.#session = connect(endpoint);
    // Each stream in flight fails with the session; remember why for the ones started after.
    this.#session.on('error', (error: Error) => {
      this.#failure = error;
    });
  }

  /** A transaction as one framed gRPC message. */
  encode(request: ITxnRequest): Buffer {
    const message = txnCodec().encode(request);
    const framed = Buffer.allocUnsafe(5 + message.length);
    framed[0] = 0; // not compressed
    framed.writeUInt32BE(message.length, 1);
    message.copy(framed, 5);
    return framed;
  }

  /** Sends an {@link encode}d transaction; resolves with etcd's answer, rejects on any gRPC error. */
  txn(framed: Buffer): Promise<ITxnResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = this.#session.request({
          ':method': 'POST',
          ':path': '/etcdserverpb.KV/Txn',
          'content-type': 'application/grpc',
          te: 'trailers',
        });
      } catch (error) {
        reject(error);
        return;
      }
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let statusMessage = '';
      const readStatus = (headers: Record<string, unknown>) => {
        if (headers['grpc-status'] === undefined) return;
        status = String(headers['grpc-status']);
        statusMessage = percentDecoded(String(headers['grpc-message'] ?? ''));
      };
      // A trailers-only answer (most errors) carries its status in the response headers.
      stream.on('response', (headers) => {
        if (headers[':status'] !== 200) {
          reject(new Error(`etcd answered HTTP ${headers[':status']} to a gRPC call`));
          stream.close();
        } else readStatus(headers);
      });
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => {
        if (status !== '0') {
          reject(
            status === undefined
              ? new Error('etcd ended a gRPC call without a status')
              : new TxnStatusError(Number(status), statusMessage),
          );
          return;
        }
        try {
          resolve(txnCodec().decode(unframe(Buffer.concat(chunks))));
        } catch (error) {
          reject(error);
        }
      });
      // Reset or cut off without an end: no answer will come (a settled promise ignores this).
      stream.on('close', () =>
        reject(new Error(`etcd closed a gRPC call without answering (HTTP/2 code ${stream.rstCode})`)),
      );
      stream.end(framed);
    });
  }

  close(): void {
    this.#session.close();
  }
}

/** gRPC's percent-encoded `grpc-message`, as sent when it is not valid encoding. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The one uncompressed message of a unary gRPC answer. */
function unframe(body: Buffer): Buffer {
  const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
  if (body[0] !== 0 || length !== body.length - 5) {
    throw new Error(`etcd's answer is not one uncompressed gRPC message (${body.length} bytes)`);
  }
  return body.subarray(5);
}
