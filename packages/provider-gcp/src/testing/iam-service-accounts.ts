import { createHash } from 'node:crypto';
import { jsonResponse, type RouteMatch, readJson } from '@trellis/testkit/fake';
import type { GceFakeState } from './gce-fake-state.js';

/** An IAM error as the IAM API answers it: `{"error":{"code","message","status"}}`. */
export class IamFakeError extends Error {
  constructor(
    readonly status: number,
    readonly rpcStatus: string,
    message: string,
  ) {
    super(message);
  }
}

export const iamErrorResponse = (error: IamFakeError) =>
  jsonResponse(error.status, {
    error: { code: error.status, message: error.message, status: error.rpcStatus },
  });

const ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

/**
 * IAM v1 service accounts of a project (`/v1/projects/{project}/serviceAccounts`): create, get,
 * list and delete, by email or unique id; the account id rule (6-30 characters), 409
 * `ALREADY_EXISTS` and 404 `NOT_FOUND` as IAM answers them.
 */
export function serviceAccountHandlers(state: GceFakeState) {
  const key = (project: string, email: string) => `projects/${project}/serviceAccounts/${email}`;

  /** The account a `{project}/serviceAccounts/{account}` path names (`-` as the project is allowed). */
  function find(project: string, account: string) {
    const found = state.serviceAccounts
      .list('projects/')
      .find(
        (entry) =>
          (project === '-' || entry.key.startsWith(`projects/${project}/`)) &&
          (entry.value.email === account || entry.value.uniqueId === account),
      );
    if (!found) {
      throw new IamFakeError(404, 'NOT_FOUND', `Unknown service account`);
    }
    return found;
  }

  function create(match: RouteMatch) {
    const { project } = match.params as { project: string };
    const input =
      readJson<{ accountId?: string; serviceAccount?: Record<string, unknown> }>(match.request) ?? {};
    const accountId = input.accountId ?? '';
    if (!ACCOUNT_ID.test(accountId)) {
      throw new IamFakeError(
        400,
        'INVALID_ARGUMENT',
        `Invalid account ID '${accountId}': must be 6-30 characters, lowercase letters, digits and hyphens, starting with a letter.`,
      );
    }
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    if (state.serviceAccounts.has(key(project, email))) {
      throw new IamFakeError(
        409,
        'ALREADY_EXISTS',
        `Service account ${accountId} already exists within project projects/${project}.`,
      );
    }
    const uniqueId = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 15)}`).toString();
    const account = {
      name: key(project, email),
      projectId: project,
      uniqueId,
      email,
      oauth2ClientId: uniqueId,
      etag: 'MDEwMjE5MjA=',
      ...(input.serviceAccount?.displayName === undefined
        ? {}
        : { displayName: input.serviceAccount.displayName }),
      ...(input.serviceAccount?.description === undefined
        ? {}
        : { description: input.serviceAccount.description }),
    };
    state.serviceAccounts.put(key(project, email), account);
    return jsonResponse(200, account);
  }

  function get(match: RouteMatch) {
    const { project, account } = match.params as { project: string; account: string };
    return jsonResponse(200, find(project, account).value);
  }

  function list(match: RouteMatch) {
    const { project } = match.params as { project: string };
    const accounts = state.serviceAccounts.list(`projects/${project}/`).map((entry) => entry.value);
    return jsonResponse(200, accounts.length ? { accounts } : {});
  }

  function remove(match: RouteMatch) {
    const { project, account } = match.params as { project: string; account: string };
    state.serviceAccounts.delete(find(project, account).key);
    return jsonResponse(200, {});
  }

  return { create, get, list, remove };
}
