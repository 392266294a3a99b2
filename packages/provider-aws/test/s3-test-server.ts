import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver, { type KoaContext, type Middleware } from 's3rver';
import { AwsClients, resolveAwsProviderSettings } from '../src/aws-settings.js';
import { s3Client } from '../src/s3-client.js';

/** An in-process s3rver on 127.0.0.1 with a temporary directory. */
export interface S3TestServer {
  readonly endpoint: string;
  /**
   * An S3 client made from the provider settings this server needs: path style, and checksums
   * only when required (s3rver stores aws-chunked bodies with their framing otherwise).
   */
  createClient(): S3Client;
  /** Makes the next UploadPart of part `partNumber` fail with a non-retryable 403 AccessDenied. */
  failNextUploadPart(partNumber: number): void;
  close(): Promise<void>;
}

// s3rver keeps multipart uploads in <directory>/<bucket>/._S3rver_uploads/<uploadId>/.
const uploadsDirectory = (directory: string, bucket: string) => join(directory, bucket, '._S3rver_uploads');

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Answers with an S3 error document, as S3 does. */
function answerError(
  context: Pick<KoaContext, 'status' | 'type' | 'body'>,
  status: number,
  code: string,
  message: string,
): void {
  context.status = status;
  context.type = 'application/xml';
  context.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
}

/**
 * s3rver 3.7 answers AbortMultipartUpload with 405 and ListMultipartUploads with 501. These two
 * stand-ins, over s3rver's own upload directory, let tests check what real S3 would show: that a
 * failed save leaves no multipart upload behind.
 */
function multipartUploadStandIns(directory: string, partFailures: Set<number>) {
  return async (
    context: {
      method: string;
      path: string;
      query: Record<string, unknown>;
      status: number;
      type: string;
      body: unknown;
    },
    next: () => Promise<void>,
  ) => {
    const [bucket = '', ...keyParts] = context.path.slice(1).split('/').filter(Boolean);
    const uploadId = context.query.uploadId;
    const partNumber = Number(context.query.partNumber);
    if (context.method === 'PUT' && typeof uploadId === 'string' && partFailures.delete(partNumber)) {
      answerError(context, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    if (context.method === 'DELETE' && typeof uploadId === 'string' && keyParts.length > 0) {
      const uploadDirectory = join(uploadsDirectory(directory, bucket), uploadId);
      const exists = await stat(uploadDirectory).then(
        () => true,
        () => false,
      );
      if (!exists) {
        answerError(context, 404, 'NoSuchUpload', 'The specified upload does not exist.');
        return;
      }
      await rm(uploadDirectory, { recursive: true, force: true });
      context.status = 204;
      return;
    }
    if (context.method === 'GET' && 'uploads' in context.query && keyParts.length === 0) {
      const ids = await readdir(uploadsDirectory(directory, bucket)).catch(() => [] as string[]);
      const uploads = await Promise.all(
        ids.map(async (id) => ({
          id,
          key: await readFile(join(uploadsDirectory(directory, bucket), id, 'key'), 'utf8'),
        })),
      );
      context.type = 'application/xml';
      context.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(
        bucket,
      )}</Bucket><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads
        .map(
          (upload) =>
            `<Upload><Key>${escapeXml(upload.key)}</Key><UploadId>${escapeXml(upload.id)}</UploadId></Upload>`,
        )
        .join('')}</ListMultipartUploadsResult>`;
      return;
    }
    await next();
  };
}

/**
 * What S3 does and s3rver does not: a PUT whose body does not hash to its signed
 * `x-amz-content-sha256` is refused with 400 `XAmzContentSHA256Mismatch` (s3rver has stored it by
 * then; the client sees the refusal, as it would from S3). Checked over what s3rver read, once it
 * accepted the request.
 */
function payloadHashCheck(): Middleware {
  return async (context, next) => {
    const signed = context.get('x-amz-content-sha256');
    if (context.method !== 'PUT' || !/^[0-9a-f]{64}$/.test(signed)) return next();
    // Sees the body as s3rver reads it, without a listener of its own (which would start the flow).
    const hash = createHash('sha256');
    const request = context.req;
    const emit = request.emit;
    request.emit = function (this: typeof request, event: string | symbol, ...args: unknown[]) {
      if (event === 'data') hash.update(args[0] as Buffer);
      return emit.call(this, event, ...args);
    } as typeof request.emit;
    await next();
    // Only what s3rver read and accepted (a refusal stand-in reads nothing).
    if (context.status >= 300) return;
    if (hash.digest('hex') !== signed) {
      answerError(
        context,
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  };
}

/** Starts s3rver in this process on 127.0.0.1, port 0, in a fresh temporary directory. */
export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'trellis-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const partFailures = new Set<number>();
  server.middleware.unshift(multipartUploadStandIns(directory, partFailures));
  server.middleware.unshift(payloadHashCheck());
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const holders: AwsClients[] = [];
  return {
    endpoint,
    createClient() {
      const holder = new AwsClients(
        resolveAwsProviderSettings({
          region: 'us-east-1',
          endpoint,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          s3: {
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          },
        }),
      );
      holders.push(holder);
      return s3Client(holder);
    },
    failNextUploadPart(partNumber) {
      partFailures.add(partNumber);
    },
    async close() {
      for (const holder of holders) holder.destroy();
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
