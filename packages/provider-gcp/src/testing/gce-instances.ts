import { jsonResponse, type RouteMatch, readJson } from '@trellis/testkit/fake';
import { alreadyExists, invalid, notFound } from './gce-errors.js';
import type { FakeInstance, GceFakeState } from './gce-fake-state.js';
import { matchesFilter, parseFilter } from './gce-filter.js';
import { refPath } from './gce-network-refs.js';
import { type OperationEffect, operationKit, page } from './gce-operations.js';

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const instancePath = (project: string, zone: string, name: string) =>
  `projects/${project}/zones/${zone}/instances/${name}`;

/** The `/compute/v1/...` handlers of instances and zone operations. */
export function instanceHandlers(state: GceFakeState, baseUrl: () => string) {
  const operations = operationKit(state, baseUrl);
  const { link } = operations;
  const startOperation = (
    match: RouteMatch,
    scope: { project: string; zone: string; operationType: string; targetPath: string },
    effect: OperationEffect,
  ) => operations.start(match, { ...scope, scope: `zones/${scope.zone}` }, effect);

  function insert(match: RouteMatch) {
    const { project, zone } = match.params as { project: string; zone: string };
    const body = readJson<FakeInstance>(match.request);
    if (!body || typeof body.name !== 'string' || !NAME.test(body.name)) {
      throw invalid(
        `Invalid value for field 'resource.name': '${body?.name ?? ''}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
      );
    }
    if (typeof body.machineType !== 'string' || !body.machineType) {
      throw invalid("Invalid value for field 'resource.machineType': ''. Machine type is required.");
    }
    const disks = (body.disks as Array<{ boot?: boolean }> | undefined) ?? [];
    if (disks.filter((disk) => disk.boot).length !== 1) {
      throw invalid("Invalid value for field 'resource.disks': exactly one boot disk is required.");
    }
    const path = instancePath(project, zone, body.name);
    const requestId = match.query.get('requestId');
    if (!(requestId && state.requestIds.has(requestId)) && state.instances.has(path))
      throw alreadyExists(path);
    const failure = requestId && state.requestIds.has(requestId) ? undefined : state.insertFailures.shift();
    return startOperation(
      match,
      { project, zone, operationType: 'insert', targetPath: path },
      failure
        ? { fail: failure }
        : {
            onStart: () => {
              const interfaces = (
                (body.networkInterfaces as Array<Record<string, unknown>> | undefined) ?? []
              ).map((networkInterface, index) => ({
                ...networkInterface,
                name: `nic${index}`,
                networkIP: state.nextInternalAddress(refPath(project, networkInterface.subnetwork)),
                ...(Array.isArray(networkInterface.accessConfigs)
                  ? {
                      accessConfigs: (networkInterface.accessConfigs as object[]).map((config) => ({
                        ...config,
                        type: 'ONE_TO_ONE_NAT',
                        name: 'External NAT',
                        natIP: `34.77.0.${state.instances.size + 10}`,
                      })),
                    }
                  : {}),
              }));
              state.instances.put(path, {
                ...body,
                kind: 'compute#instance',
                id: String(Date.now() * 1000 + state.instances.size),
                status: 'PROVISIONING',
                zone: link(`projects/${project}/zones/${zone}`),
                selfLink: link(path),
                creationTimestamp: new Date().toISOString(),
                networkInterfaces: interfaces,
              });
            },
            onComplete: () =>
              state.instances.update(path, (instance) => ({ ...instance, status: 'RUNNING' })),
          },
    );
  }

  function get(match: RouteMatch) {
    const { project, zone, name } = match.params as { project: string; zone: string; name: string };
    const found = state.instances.get(instancePath(project, zone, name));
    if (!found) throw notFound(instancePath(project, zone, name));
    return jsonResponse(200, found.value);
  }

  function remove(match: RouteMatch) {
    const { project, zone, name } = match.params as { project: string; zone: string; name: string };
    const path = instancePath(project, zone, name);
    const requestId = match.query.get('requestId');
    if (!(requestId && state.requestIds.has(requestId)) && !state.instances.has(path)) throw notFound(path);
    return startOperation(
      match,
      { project, zone, operationType: 'delete', targetPath: path },
      {
        onStart: () => state.instances.update(path, (instance) => ({ ...instance, status: 'STOPPING' })),
        onComplete: () => state.instances.delete(path),
      },
    );
  }

  function list(match: RouteMatch) {
    const { project, zone } = match.params as { project: string; zone: string };
    const terms = parseFilter(match.query.get('filter'));
    const all = state.instances
      .list(`projects/${project}/zones/${zone}/instances/`)
      .map((entry) => entry.value)
      .filter((instance) => matchesFilter(instance, terms));
    const { items, nextPageToken } = page(all, match);
    return jsonResponse(200, {
      kind: 'compute#instanceList',
      ...(items.length ? { items } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
      selfLink: link(`projects/${project}/zones/${zone}/instances`),
    });
  }

  function aggregatedList(match: RouteMatch) {
    const { project } = match.params as { project: string };
    const terms = parseFilter(match.query.get('filter'));
    const all = state.instances
      .list(`projects/${project}/zones/`)
      .filter((entry) => matchesFilter(entry.value, terms))
      .map((entry) => ({ zone: entry.key.split('/')[3]!, instance: entry.value }));
    const { items, nextPageToken } = page(all, match);
    const byZone: Record<string, { instances: FakeInstance[] }> = {};
    for (const { zone, instance } of items) {
      const scope = `zones/${zone}`;
      byZone[scope] ??= { instances: [] };
      byZone[scope].instances.push(instance);
    }
    return jsonResponse(200, {
      kind: 'compute#instanceAggregatedList',
      items: byZone,
      ...(nextPageToken ? { nextPageToken } : {}),
      selfLink: link(`projects/${project}/aggregated/instances`),
    });
  }

  return { insert, get, remove, list, aggregatedList, operation: operations.poll };
}
