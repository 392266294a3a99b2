import { jsonResponse } from '@trellis/testkit/fake';

/** An error a GCE fake handler throws; answered in GCE's error body shape. */
export class GceFakeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** GCE's error body: `{"error":{"code","message","errors":[{"message","domain","reason"}]}}`. */
export function gceErrorResponse(error: GceFakeError) {
  return jsonResponse(error.status, {
    error: {
      code: error.status,
      message: error.message,
      errors: [{ message: error.message, domain: 'global', reason: error.reason }],
      ...error.extra,
    },
  });
}

export const notFound = (resource: string) =>
  new GceFakeError(404, 'notFound', `The resource '${resource}' was not found`);

export const alreadyExists = (resource: string) =>
  new GceFakeError(409, 'alreadyExists', `The resource '${resource}' already exists`);

export const invalid = (message: string) => new GceFakeError(400, 'invalid', message);

/** A rate-limit answer as GCE gives it with `google.rpc.ErrorInfo` (see shared/clouds/gcp.md 1.4). */
export const rateLimited = () =>
  new GceFakeError(
    403,
    'rateLimitExceeded',
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'",
    {
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: { service: 'compute.googleapis.com' },
        },
      ],
    },
  );
