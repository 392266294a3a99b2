import { jsonResponse } from '@trellis/testkit/fake';

/** An error an ARM fake handler throws; answered in ARM's error body shape. */
export class ArmFakeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ReadonlyArray<{ code: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** ARM's error body: `{"error":{"code","message","details":[...]}}`, with `x-ms-error-code`. */
export function armErrorResponse(error: ArmFakeError, headers: Record<string, string> = {}) {
  return jsonResponse(
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details.length ? { details: error.details } : {}),
      },
    },
    { 'x-ms-error-code': error.code, ...headers },
  );
}

/** 404 of a resource under a resource group, as ARM words it. */
export const resourceNotFound = (type: string, name: string, resourceGroup: string) =>
  new ArmFakeError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );

export const resourceGroupNotFound = (resourceGroup: string) =>
  new ArmFakeError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);

export const invalidParameter = (message: string, target?: string) =>
  new ArmFakeError(400, 'InvalidParameter', target ? `${message} (target: ${target})` : message);
