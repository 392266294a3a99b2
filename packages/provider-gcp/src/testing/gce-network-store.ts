import { jsonResponse, type RouteMatch } from '@trellis/testkit/fake';
import { alreadyExists, notFound } from './gce-errors.js';
import type { FakeResource, GceFakeState } from './gce-fake-state.js';
import { matchesFilter, parseFilter } from './gce-filter.js';
import { checkName, refPath } from './gce-network-refs.js';
import { type OperationEffect, operationKit, page } from './gce-operations.js';

/** The collections of the network handlers. */
export type NetworkCollection = 'networks' | 'subnetworks' | 'routers' | 'firewalls' | 'addresses';

/**
 * What the network handlers share: paths and links of global and regional resources, the
 * insert/get/list/delete skeleton with its operation, and the check that a reference exists.
 */
export function networkStore(state: GceFakeState, baseUrl: () => string) {
  const operations = operationKit(state, baseUrl);
  const { link } = operations;

  /** `projects/<p>/global/<c>` or `projects/<p>/regions/<r>/<c>`. */
  const collectionPath = (match: RouteMatch, collection: NetworkCollection) => {
    const { project, region } = match.params as { project: string; region?: string };
    return region
      ? `projects/${project}/regions/${region}/${collection}`
      : `projects/${project}/global/${collection}`;
  };
  const scopeOf = (match: RouteMatch) => {
    const { region } = match.params as { region?: string };
    return region ? `regions/${region}` : 'global';
  };
  const project = (match: RouteMatch) => (match.params as { project: string }).project;
  const nameParam = (match: RouteMatch) => {
    const params = match.params as Record<string, string>;
    return params.name!;
  };

  /** The resource at `path`, or the 404 GCE answers. */
  const existing = (path: string) => {
    const found = state.resources.get(path);
    if (!found) throw notFound(path);
    return found.value;
  };

  /** The path of a reference that must exist (404 as GCE answers a missing one). */
  const existingRef = (projectId: string, ref: unknown, field: string) => {
    const path = refPath(projectId, ref);
    if (!path) throw notFound(`${field}: ${String(ref ?? '')}`);
    existing(path);
    return path;
  };

  /** Every resource of a collection, in every region or globally, of a project. */
  const all = (projectId: string, collection: NetworkCollection) =>
    state.resources
      .list(`projects/${projectId}/`)
      .filter((entry) => entry.key.split('/').at(-2) === collection)
      .map((entry) => entry.value);

  /** An insert: name check, 409 on a taken name (unless a retry), the resource made as the operation starts. */
  function insert(
    match: RouteMatch,
    collection: NetworkCollection,
    build: (body: FakeResource, path: string) => FakeResource,
    body: FakeResource,
    effect: Omit<OperationEffect, 'onStart'> = {},
  ) {
    checkName(body.name);
    const path = `${collectionPath(match, collection)}/${body.name}`;
    if (!operations.isRetry(match) && state.resources.has(path)) throw alreadyExists(path);
    const resource = operations.isRetry(match) ? undefined : build(body, path);
    return operations.start(
      match,
      { project: project(match), scope: scopeOf(match), operationType: 'insert', targetPath: path },
      {
        ...effect,
        onStart: () => {
          state.resources.put(path, {
            ...resource!,
            name: body.name,
            id: String(1_000_000 + state.resources.size),
            creationTimestamp: new Date().toISOString(),
            selfLink: link(path),
          });
        },
      },
    );
  }

  /** A write to an existing resource (update, patch) as an operation. */
  function write(
    match: RouteMatch,
    collection: NetworkCollection,
    change: (current: FakeResource) => FakeResource,
  ) {
    const path = `${collectionPath(match, collection)}/${nameParam(match)}`;
    const current = existing(path);
    const next = operations.isRetry(match) ? undefined : change(current);
    return operations.start(
      match,
      {
        project: project(match),
        scope: scopeOf(match),
        operationType: match.request.method === 'PUT' ? 'update' : 'patch',
        targetPath: path,
      },
      {
        onStart: () =>
          state.resources.put(path, {
            ...next!,
            selfLink: current.selfLink,
            id: current.id,
            creationTimestamp: current.creationTimestamp,
            name: current.name,
          }),
      },
    );
  }

  function get(
    match: RouteMatch,
    collection: NetworkCollection,
    decorate: (resource: FakeResource) => FakeResource = (resource) => resource,
  ) {
    return jsonResponse(200, decorate(existing(`${collectionPath(match, collection)}/${nameParam(match)}`)));
  }

  function list(match: RouteMatch, collection: NetworkCollection, kind: string) {
    const terms = parseFilter(match.query.get('filter'));
    const prefix = `${collectionPath(match, collection)}/`;
    const found = state.resources
      .list(prefix)
      .map((entry) => entry.value)
      .filter((resource) => matchesFilter(resource, terms));
    const { items, nextPageToken } = page(found, match);
    return jsonResponse(200, {
      kind,
      ...(items.length ? { items } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
      selfLink: link(collectionPath(match, collection)),
    });
  }

  /** A delete: 404 on a missing resource (unless a retry), `blockedBy` answers 400 in use. */
  function remove(
    match: RouteMatch,
    collection: NetworkCollection,
    blockedBy: (path: string) => void = () => {},
  ) {
    const path = `${collectionPath(match, collection)}/${nameParam(match)}`;
    if (!operations.isRetry(match)) {
      existing(path);
      blockedBy(path);
    }
    return operations.start(
      match,
      { project: project(match), scope: scopeOf(match), operationType: 'delete', targetPath: path },
      { onStart: () => state.resources.delete(path) },
    );
  }

  return {
    link,
    project,
    existing,
    existingRef,
    all,
    insert,
    write,
    get,
    list,
    remove,
    poll: operations.poll,
  };
}

export type NetworkStore = ReturnType<typeof networkStore>;
