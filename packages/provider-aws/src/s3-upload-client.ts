import {
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandInput,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import type { BuildMiddleware } from '@smithy/types';
import { TrellisError } from '@trellis/core';
import type { PartDigests } from './s3-checksum-streams.js';

type PartMiddleware = BuildMiddleware<UploadPartCommandInput, UploadPartCommandOutput>;

/** SigV4's header for the SHA-256 of the payload, which S3 checks the body against. */
const PAYLOAD_SHA256_HEADER = 'x-amz-content-sha256';

/**
 * Signs a part with the SHA-256 the source's bytes had at that place, instead of letting the signer
 * hash the part again: S3 refuses a part whose bytes do not match it (`XAmzContentSHA256Mismatch`),
 * so each stored part is checked against the source itself, and every byte is hashed once.
 */
function signedWithSourceDigest(digests: PartDigests): PartMiddleware {
  return (next) => async (args) => {
    const input = args.input as { Body?: unknown; PartNumber?: number };
    const request = args.request as { headers?: Record<string, string> } | undefined;
    const partNumber = input.PartNumber ?? 1;
    const length = input.Body instanceof Uint8Array ? input.Body.byteLength : undefined;
    const digest = length === undefined ? undefined : digests.partDigest(partNumber, length);
    if (!digest || !request?.headers) {
      throw new TrellisError({
        code: 'Internal',
        provider: 'aws',
        operation: 'save',
        message: `part ${partNumber} of the upload (${length ?? 'unknown'} bytes) is not the snapshot source's bytes at that place`,
      });
    }
    request.headers[PAYLOAD_SHA256_HEADER] = digest;
    return next(args);
  };
}

/**
 * The client lib-storage uploads a snapshot through. Each part (or the single `PutObject` of a
 * small snapshot) is signed with the source's digest of it (see {@link PartDigests}). The caller's
 * signal cancels part uploads in flight, and nothing else: `CreateMultipartUpload` runs to its end,
 * so an upload the server opened is always known and aborted; `CompleteMultipartUpload` too, so
 * whether the object was committed is known; and `AbortMultipartUpload`, the cleanup, must not be
 * canceled by the very abort it cleans up.
 */
export function uploadClient(
  client: S3Client,
  digests: PartDigests,
  signal: AbortSignal | undefined,
): S3Client {
  const bound = Object.create(client) as S3Client;
  const send = (command: object, options?: object) => {
    if (command instanceof UploadPartCommand || command instanceof PutObjectCommand) {
      (command as UploadPartCommand).middlewareStack.add(signedWithSourceDigest(digests), {
        step: 'build',
        name: 'trellisSourcePartDigest',
        override: true,
      });
    }
    return (client.send as (command: object, options?: object) => Promise<unknown>)(
      command,
      signal && command instanceof UploadPartCommand ? { ...options, abortSignal: signal } : options,
    );
  };
  bound.send = send as S3Client['send'];
  return bound;
}
