import { restorePoller as restoreNetworkPoller } from '@azure/arm-network';
import type { ResourceGroup } from '@azure/arm-resources';
import { restorePoller as restoreResourcesPoller } from '@azure/arm-resources';
import type { OperationState, PollerLike } from '@azure/core-lro';
import { TrellisError } from '@trellis/core';
import { networkClient } from './azure-arm-clients.js';
import { orUndefined } from './azure-errors.js';
import { runLro } from './azure-lro.js';
import { resourceId } from './azure-machine-names.js';
import { resourcesClient } from './azure-resources-client.js';
import type { AzureProviderContext } from './azure-settings.js';

// Loads @azure/arm-network and @azure/arm-resources: reached through the provider's lazy entry.

/** The network resource types the infrastructure makes (the arm-network operation groups). */
export type NetworkKind =
  | 'virtualNetworks'
  | 'subnets'
  | 'routeTables'
  | 'networkSecurityGroups'
  | 'publicIPAddresses'
  | 'natGateways'
  | 'loadBalancers';

/** A network resource as the SDK reads it (flattened models), reduced to what the steps look at. */
export type NetworkResource = Record<string, unknown> & {
  id?: string;
  name?: string;
  tags?: Record<string, string>;
};

/** The Microsoft.ManagedIdentity api-version of identity reads. */
const IDENTITY_API_VERSION = '2023-01-31';

type Poller = PollerLike<OperationState<unknown>, unknown>;
// The operation groups differ only in their name parameters (a subnet's are [vnet, subnet]).
type Operations = {
  get(...args: unknown[]): Promise<NetworkResource>;
  createOrUpdate(...args: unknown[]): Poller;
  delete(...args: unknown[]): Poller;
  list(...args: unknown[]): AsyncIterable<NetworkResource>;
};

/**
 * The ARM calls of one infrastructure reconcile or delete, each through the provider's
 * rate-limited, retrying API: network resources by kind and names (get, create-or-update and
 * delete as long-running operations; a missing resource is `undefined` or, on delete, success),
 * and resource groups.
 */
export function infrastructureArm(
  context: AzureProviderContext,
  operation: string,
  signal: AbortSignal | undefined,
) {
  const { api } = context;
  const network = () => networkClient(context);
  const operations = (kind: NetworkKind) => network()[kind] as unknown as Operations;
  const options = { operation, signal };
  const abort = { abortSignal: signal };

  return {
    get: (kind: NetworkKind, group: string, names: readonly string[]) =>
      orUndefined(api.call(`${kind}.get`, () => operations(kind).get(group, ...names, abort), options)),

    put: async (kind: NetworkKind, group: string, names: readonly string[], body: NetworkResource) =>
      (await runLro(
        context,
        `${kind}.createOrUpdate`,
        () => operations(kind).createOrUpdate(group, ...names, body, abort),
        (state) => restoreNetworkPoller(network(), state, operations(kind).createOrUpdate as never) as Poller,
        options,
      )) as NetworkResource,

    /** Deletes; a missing resource (ARM's 204) or group is success. */
    delete: async (kind: NetworkKind, group: string, names: readonly string[]) => {
      try {
        await runLro(
          context,
          `${kind}.delete`,
          () => operations(kind).delete(group, ...names, abort),
          (state) => restoreNetworkPoller(network(), state, operations(kind).delete as never) as Poller,
          options,
        );
      } catch (error) {
        if (!TrellisError.hasCode(error, 'NotFound')) throw error;
      }
    },

    /** Every resource of a kind in a group (all pages); none when the group is gone. */
    list: async (kind: NetworkKind, group: string) =>
      (await orUndefined(
        api.call(
          `${kind}.list`,
          async () => {
            const items: NetworkResource[] = [];
            for await (const item of operations(kind).list(group, abort)) items.push(item);
            return items;
          },
          options,
        ),
      )) ?? [],

    /** A user-assigned managed identity's id and client id; `undefined` when it does not exist. */
    getIdentity: async (group: string, name: string) => {
      const id = resourceId(
        context.subscriptionId,
        group,
        'Microsoft.ManagedIdentity/userAssignedIdentities',
        name,
      );
      const found = await orUndefined(
        api.call(
          'userAssignedIdentities.get',
          () => resourcesClient(context).resources.getById(id, IDENTITY_API_VERSION, abort),
          options,
        ),
      );
      if (!found) return undefined;
      return {
        id: found.id ?? id,
        clientId: String((found.properties as { clientId?: string } | undefined)?.clientId ?? ''),
      };
    },

    getGroup: (name: string) =>
      orUndefined(
        api.call(
          'resourceGroups.get',
          () => resourcesClient(context).resourceGroups.get(name, abort),
          options,
        ),
      ),

    putGroup: (name: string, body: ResourceGroup) =>
      api.call(
        'resourceGroups.createOrUpdate',
        () => resourcesClient(context).resourceGroups.createOrUpdate(name, body, abort),
        options,
      ),

    /** Deletes a group and everything in it; a missing group is success. */
    deleteGroup: async (name: string) => {
      try {
        await runLro(
          context,
          'resourceGroups.delete',
          () => resourcesClient(context).resourceGroups.delete(name, abort) as Poller,
          (state) =>
            restoreResourcesPoller(
              resourcesClient(context),
              state,
              resourcesClient(context).resourceGroups.delete,
            ) as Poller,
          options,
        );
      } catch (error) {
        if (!TrellisError.hasCode(error, 'NotFound')) throw error;
      }
    },
  };
}

export type InfrastructureArm = ReturnType<typeof infrastructureArm>;
