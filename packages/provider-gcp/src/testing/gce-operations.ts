import { jsonResponse, type RouteMatch } from '@trellis/testkit/fake';
import { invalid, notFound } from './gce-errors.js';
import type { FakeOperationError, GceFakeState } from './gce-fake-state.js';

/** What an operation does: at its start, when it is done, or that it ends with an error. */
export interface OperationEffect {
  onStart?: () => void;
  onComplete?: () => void;
  fail?: FakeOperationError;
}

/** The operations of the fake's handlers: start (with `requestId` de-duplication), poll, and paging. */
export function operationKit(state: GceFakeState, baseUrl: () => string) {
  const link = (path: string) => `${baseUrl()}/compute/v1/${path}`;

  /** True when `requestId` names an operation already started: its retry changes nothing. */
  const isRetry = (match: RouteMatch) => {
    const requestId = match.query.get('requestId');
    return Boolean(requestId && state.requestIds.has(requestId));
  };

  /**
   * Starts an operation in `scope` (`zones/<z>`, `regions/<r>`, `global`) on `targetPath`; a
   * `requestId` seen before is answered with its first operation and no new effect.
   */
  function start(
    match: RouteMatch,
    scope: { project: string; scope: string; operationType: string; targetPath: string },
    effect: OperationEffect,
  ) {
    const requestId = match.query.get('requestId');
    const known = requestId ? state.requestIds.get(requestId) : undefined;
    if (known) return jsonResponse(200, state.operationJson(state.operations.get(known)!, baseUrl()));
    effect.onStart?.();
    const operation = state.operations.start({
      target: scope.targetPath,
      kind: scope.operationType,
      completeAfterPolls: state.operationPolls,
      ...(effect.fail ? { fail: effect.fail } : {}),
      ...(effect.onComplete ? { onComplete: effect.onComplete } : {}),
    });
    state.scopes.set(operation.id, {
      project: scope.project,
      scope: scope.scope,
      operationType: scope.operationType,
      targetLink: link(scope.targetPath),
    });
    if (requestId) state.requestIds.set(requestId, operation.id);
    return jsonResponse(200, state.operationJson(operation, baseUrl()));
  }

  /** `operations.get` / `wait` of a zone, a region or the project (global). */
  function poll(match: RouteMatch) {
    const { project, operation: name, zone, region } = match.params as Record<string, string | undefined>;
    const scope = zone ? `zones/${zone}` : region ? `regions/${region}` : 'global';
    const polled = state.operations.poll(name!);
    if (!polled || state.scopes.get(name!)?.scope !== scope) {
      throw notFound(`projects/${project}/${scope}/operations/${name}`);
    }
    return jsonResponse(200, state.operationJson(polled, baseUrl()));
  }

  return { link, isRetry, start, poll };
}

/** One page of `items` by numeric offset (`pageToken`) and `maxResults` (0-500, default 500). */
export function page<T>(items: T[], match: RouteMatch): { items: T[]; nextPageToken?: string } {
  const maxText = match.query.get('maxResults');
  const max = maxText === null ? 500 : Number(maxText);
  if (!Number.isInteger(max) || max < 0 || max > 500) {
    throw invalid(`Invalid value for field 'maxResults': '${maxText}'. Must be less than or equal to 500`);
  }
  const start = Number(match.query.get('pageToken') ?? 0);
  const size = max === 0 ? 500 : max;
  const slice = items.slice(start, start + size);
  return start + size < items.length
    ? { items: slice, nextPageToken: String(start + size) }
    : { items: slice };
}
