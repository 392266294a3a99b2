import type { FakeRequest, FakeResponse } from '@trellis/testkit/fake';
import { jsonResponse, readJson } from '@trellis/testkit/fake';
import { computeRules } from './arm-compute-rules.js';
import { ArmFakeError, resourceGroupNotFound, resourceNotFound } from './arm-errors.js';
import type { ArmFakeState, ArmResource } from './arm-fake-state.js';
import { type ArmPath, armId, groupKey, idKey } from './arm-ids.js';
import { networkRules } from './arm-network-rules.js';

type ResourcePath = Extract<ArmPath, { kind: 'resource' }>;
type CollectionPath = Extract<ArmPath, { kind: 'collection' }>;

const without = <T extends Record<string, unknown>>(value: T, key: string) => {
  const { [key]: _dropped, ...rest } = value;
  return rest;
};

/**
 * ARM's generic resource semantics for every type under a resource group: PUT create-or-update
 * as a long-running operation (`Azure-AsyncOperation`), GET, PATCH of tags, DELETE (204 when
 * missing), paged lists with absolute `nextLink`; resource groups with a cascading delete
 * (`Location` polling). VM, NIC, disk and subnet rules come from {@link computeRules}, public IP,
 * NAT gateway, security group and route table rules from {@link networkRules}.
 */
export function resourceHandlers(state: ArmFakeState, baseUrl: () => string, pageSize: number) {
  const rules = computeRules(state);
  const network = networkRules(state);

  function operationHeaders(
    request: FakeRequest,
    subscription: string,
    operationId: string,
    location = 'westeurope',
  ) {
    const apiVersion = request.url.searchParams.get('api-version') ?? '2026-04-01';
    const base = `${baseUrl()}/subscriptions/${subscription}/providers/Microsoft.Resources/locations/${location}`;
    return {
      'azure-asyncoperation': `${base}/operations/${operationId}?api-version=${apiVersion}`,
      location: `${base}/operationResults/${operationId}?api-version=${apiVersion}`,
    };
  }

  const group = (subscription: string, resourceGroup: string) => {
    const key = groupKey(subscription, resourceGroup);
    if (state.autoResourceGroups && !state.groups.has(key)) {
      state.groups.put(key, {
        id: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`,
        name: resourceGroup,
        type: 'Microsoft.Resources/resourceGroups',
        location: state.autoResourceGroups,
        properties: { provisioningState: 'Succeeded' },
      });
    }
    const found = state.groups.get(key);
    if (!found) throw resourceGroupNotFound(resourceGroup);
    return found.value;
  };

  function putGroup(request: FakeRequest, subscription: string, resourceGroup: string): FakeResponse {
    const body = readJson<{ location?: string; tags?: Record<string, string> }>(request) ?? {};
    const key = groupKey(subscription, resourceGroup);
    const existing = state.groups.get(key)?.value;
    if (!body.location)
      throw new ArmFakeError(
        400,
        'LocationRequired',
        'The location property is required for this definition.',
      );
    if (existing && existing.location !== body.location) {
      throw new ArmFakeError(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const value: ArmResource = {
      id: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`,
      name: resourceGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: body.location,
      ...(body.tags ? { tags: body.tags } : {}),
      properties: { provisioningState: 'Succeeded' },
    };
    state.groups.put(key, value);
    return jsonResponse(existing ? 200 : 201, value);
  }

  function deleteGroup(request: FakeRequest, subscription: string, resourceGroup: string): FakeResponse {
    const key = groupKey(subscription, resourceGroup);
    if (!state.groups.has(key)) throw resourceGroupNotFound(resourceGroup);
    state.groups.update(key, (value) => ({ ...value, properties: { provisioningState: 'Deleting' } }));
    const operation = state.operations.start({
      target: key,
      kind: 'delete',
      completeAfterPolls: state.operationPolls,
      onComplete: () => {
        for (const entry of state.resources.list(`${key}/`)) state.resources.delete(entry.key);
        state.groups.delete(key);
      },
    });
    const headers = operationHeaders(request, subscription, operation.id);
    return { status: 202, headers: { location: headers.location, 'retry-after': '0' }, body: '' };
  }

  function resourceGroupOps(
    request: FakeRequest,
    path: Extract<ArmPath, { kind: 'resourceGroup' }>,
  ): FakeResponse {
    const { subscription, resourceGroup } = path;
    switch (request.method) {
      case 'PUT':
        return putGroup(request, subscription, resourceGroup);
      case 'HEAD':
        return { status: state.groups.has(groupKey(subscription, resourceGroup)) ? 204 : 404, body: '' };
      case 'DELETE':
        return deleteGroup(request, subscription, resourceGroup);
      default:
        return jsonResponse(200, group(subscription, resourceGroup));
    }
  }

  function parentOf(path: ResourcePath): ArmResource | undefined {
    if (path.names.length < 2) return undefined;
    const type = path.type.split('/').slice(0, -1).join('/');
    const id = armId(path.subscription, path.resourceGroup, type, path.names.slice(0, -1));
    const found = state.resources.get(idKey(id))?.value;
    if (!found) throw resourceNotFound(type, path.names.at(-2)!, path.resourceGroup);
    return found;
  }

  function put(request: FakeRequest, path: ResourcePath): FakeResponse {
    group(path.subscription, path.resourceGroup);
    const parent = parentOf(path);
    const body = readJson<Record<string, unknown>>(request) ?? {};
    const id = armId(path.subscription, path.resourceGroup, path.type, path.names);
    const key = idKey(id);
    const existing = state.resources.get(key)?.value;
    const location = (body.location as string | undefined) ?? parent?.location;
    if (!location && !parent)
      throw new ArmFakeError(
        400,
        'LocationRequired',
        'The location property is required for this definition.',
      );
    const resource: ArmResource = {
      ...without(body, 'properties'),
      id,
      name: path.names.at(-1)!,
      type: path.type,
      ...(location ? { location } : {}),
      properties: { ...((body.properties as Record<string, unknown> | undefined) ?? {}) },
    };
    const type = path.type.toLowerCase();
    let extra: ArmResource[] = [];
    let failure: { code: string; message: string } | undefined;
    if (type === rules.VM) {
      extra = rules.prepareVm(resource, existing);
      if (!existing) failure = state.vmCreateFailures.shift();
    }
    if (type === rules.NIC) rules.prepareNic(resource, existing);
    network.preparePut(resource, existing);
    resource.properties.provisioningState = existing ? 'Updating' : 'Creating';
    state.resources.put(key, resource);
    for (const made of extra) state.resources.put(idKey(made.id), made);
    if (type === rules.VM) rules.attach(resource);
    if (type === 'microsoft.network/virtualnetworks') putInlineSubnets(resource);
    const operation = state.operations.start({
      target: key,
      kind: existing ? 'update' : 'create',
      completeAfterPolls: state.operationPolls,
      ...(failure ? { fail: failure } : {}),
      onComplete: () =>
        state.resources.update(key, (value) => ({
          ...value,
          properties: { ...value.properties, provisioningState: failure ? 'Failed' : 'Succeeded' },
        })),
    });
    const headers = operationHeaders(request, path.subscription, operation.id, location);
    if (state.lroMode === 'body') state.bodyOperations.set(key, operation.id);
    const announce: Record<string, string> =
      state.lroMode === 'body'
        ? {}
        : state.lroMode === 'location'
          ? { location: headers.location, 'retry-after': '0' }
          : { 'azure-asyncoperation': headers['azure-asyncoperation'], 'retry-after': '0' };
    return jsonResponse(existing ? 200 : 201, decorate(state.resources.get(key)!.value), announce);
  }

  /** A VNet PUT with `subnets` makes them child resources too. */
  function putInlineSubnets(vnet: ArmResource): void {
    for (const subnet of (vnet.properties.subnets as
      | Array<{ name: string; properties?: Record<string, unknown> }>
      | undefined) ?? []) {
      const id = `${vnet.id}/subnets/${subnet.name}`;
      state.resources.put(idKey(id), {
        id,
        name: subnet.name,
        type: 'Microsoft.Network/virtualNetworks/subnets',
        properties: { ...subnet.properties, provisioningState: 'Succeeded' },
      });
    }
  }

  /** What GET shows beyond what was stored: a VNet's subnets. */
  function decorate(resource: ArmResource): ArmResource {
    if (resource.type.toLowerCase() !== 'microsoft.network/virtualnetworks') return resource;
    const subnets = state.resources.list(`${idKey(resource.id)}/subnets/`).map((entry) => entry.value);
    return { ...resource, properties: { ...resource.properties, subnets } };
  }

  function get(request: FakeRequest, path: ResourcePath): FakeResponse {
    const id = armId(path.subscription, path.resourceGroup, path.type, path.names);
    // Body mode: the client learns the PUT's progress from the resource's provisioningState.
    const pending = state.bodyOperations.get(idKey(id));
    if (pending && state.operations.poll(pending)?.status === 'DONE') state.bodyOperations.delete(idKey(id));
    const found = state.resources.get(idKey(id))?.value;
    if (!found) {
      group(path.subscription, path.resourceGroup);
      throw resourceNotFound(path.type, path.names.at(-1)!, path.resourceGroup);
    }
    const expand = request.url.searchParams.get('$expand') ?? '';
    if (found.type.toLowerCase() === rules.VM && /instanceView/i.test(expand)) {
      const provisioning = String(found.properties.provisioningState ?? 'Succeeded');
      return jsonResponse(200, {
        ...found,
        properties: {
          ...found.properties,
          instanceView: {
            statuses: [
              { code: `ProvisioningState/${provisioning.toLowerCase()}`, level: 'Info' },
              ...(provisioning === 'Succeeded' ? [{ code: 'PowerState/running', level: 'Info' }] : []),
            ],
          },
        },
      });
    }
    return jsonResponse(200, decorate(found));
  }

  function patch(request: FakeRequest, path: ResourcePath): FakeResponse {
    const id = armId(path.subscription, path.resourceGroup, path.type, path.names);
    const key = idKey(id);
    const found = state.resources.get(key)?.value;
    if (!found) throw resourceNotFound(path.type, path.names.at(-1)!, path.resourceGroup);
    const body = readJson<Record<string, unknown>>(request) ?? {};
    const next: ArmResource = {
      ...found,
      ...(body.tags ? { tags: body.tags as Record<string, string> } : {}),
      properties: {
        ...found.properties,
        ...((body.properties as Record<string, unknown> | undefined) ?? {}),
      },
    };
    state.resources.put(key, next);
    return jsonResponse(200, next);
  }

  function remove(request: FakeRequest, path: ResourcePath): FakeResponse {
    const id = armId(path.subscription, path.resourceGroup, path.type, path.names);
    const key = idKey(id);
    const found = state.resources.get(key)?.value;
    if (!found) return { status: 204, body: '' };
    rules.checkDelete(found);
    network.checkDelete(found);
    state.resources.update(key, (value) => ({
      ...value,
      properties: { ...value.properties, provisioningState: 'Deleting' },
    }));
    const operation = state.operations.start({
      target: key,
      kind: 'delete',
      completeAfterPolls: state.operationPolls,
      onComplete: () => {
        const gone = state.resources.get(key)?.value;
        if (!gone) return;
        state.resources.delete(key);
        for (const child of state.resources.list(`${key}/`)) state.resources.delete(child.key);
        if (gone.type.toLowerCase() === rules.VM) rules.cascade(gone);
      },
    });
    const headers = operationHeaders(request, path.subscription, operation.id, found.location);
    const announce = state.lroMode === 'body' ? { location: headers.location } : headers;
    return { status: 202, headers: { ...announce, 'retry-after': '0' }, body: '' };
  }

  /** One page of `items` (`$skiptoken` is an offset), `nextLink` absolute as ARM gives it. */
  function pageOf(request: FakeRequest, items: ArmResource[]): FakeResponse {
    const start = Number(request.url.searchParams.get('$skiptoken') ?? 0);
    const value = items.slice(start, start + pageSize);
    const next = new URL(request.url.pathname + request.url.search, baseUrl());
    next.searchParams.set('$skiptoken', String(start + pageSize));
    return jsonResponse(200, {
      value,
      ...(start + pageSize < items.length ? { nextLink: next.toString() } : {}),
    });
  }

  function list(request: FakeRequest, path: CollectionPath): FakeResponse {
    group(path.subscription, path.resourceGroup);
    const prefix = `${groupKey(path.subscription, path.resourceGroup)}/providers/`;
    const parentId = path.parents.length
      ? idKey(
          armId(
            path.subscription,
            path.resourceGroup,
            path.type.split('/').slice(0, -1).join('/'),
            path.parents,
          ),
        )
      : undefined;
    const items = state.resources
      .list(prefix)
      .map((entry) => entry.value)
      .filter((resource) => resource.type.toLowerCase() === path.type.toLowerCase())
      .filter((resource) => !parentId || idKey(resource.id).startsWith(`${parentId}/`))
      .map(decorate);
    return pageOf(request, items);
  }

  function listInSubscription(request: FakeRequest, subscription: string, type: string): FakeResponse {
    const items = state.resources
      .list(`/subscriptions/${subscription.toLowerCase()}/`)
      .map((entry) => entry.value)
      .filter((resource) => resource.type.toLowerCase() === type.toLowerCase());
    return pageOf(request, items);
  }

  /** `Azure-AsyncOperation` (status body) and `Location` (202 until done) polls. */
  function operationStatus(request: FakeRequest, id: string): FakeResponse {
    const polled = state.operations.poll(id);
    if (!polled) throw new ArmFakeError(404, 'NotFound', `Operation ${id} was not found.`);
    const done = polled.status === 'DONE';
    if (/operationresults/i.test(request.url.pathname)) {
      if (!done)
        return {
          status: 202,
          headers: {
            location: request.url.toString().replace(/^http:\/\/[^/]+/, baseUrl()),
            'retry-after': '0',
          },
          body: '',
        };
      if (polled.error) return jsonResponse(400, { error: polled.error });
      // A create or update polled through `Location` ends with the resource itself.
      const target = polled.kind === 'delete' ? undefined : state.resources.get(polled.target)?.value;
      return target ? jsonResponse(200, decorate(target)) : { status: 200, body: '' };
    }
    return jsonResponse(200, {
      name: id,
      status: done ? (polled.error ? 'Failed' : 'Succeeded') : 'InProgress',
      startTime: new Date(polled.startedAt).toISOString(),
      ...(polled.endedAt === undefined ? {} : { endTime: new Date(polled.endedAt).toISOString() }),
      ...(polled.error ? { error: polled.error } : {}),
    });
  }

  return { resourceGroupOps, put, get, patch, remove, list, listInSubscription, operationStatus };
}
