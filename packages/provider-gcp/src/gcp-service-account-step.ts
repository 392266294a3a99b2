import type { iam_v1 } from '@googleapis/iam';
import { TrellisError } from '@trellis/core';
import { type GcpInfrastructureContext, ownedDescription } from './gcp-infrastructure-context.js';
import { stateKeys } from './gcp-infrastructure-names.js';

type ServiceAccount = iam_v1.Schema$ServiceAccount;

/** The email IAM gives the account `id` of `project`. */
export function serviceAccountEmail(id: string, project: string): string {
  return `${id}@${project}.iam.gserviceaccount.com`;
}

const resourceName = (project: string, email: string) => `projects/${project}/serviceAccounts/${email}`;

async function getServiceAccount(
  context: GcpInfrastructureContext,
  email: string,
): Promise<ServiceAccount | undefined> {
  try {
    const response = await context.gcp.api.call(
      'serviceAccounts.get',
      () => context.iam().projects.serviceAccounts.get({ name: resourceName(context.project, email) }),
      { operation: context.operation, signal: context.signal },
    );
    return response.data;
  } catch (error) {
    if (TrellisError.hasCode(error, 'NotFound')) return undefined;
    throw error;
  }
}

/**
 * The nodes' service account: `'create'` makes `<cluster>@<project>.iam.gserviceaccount.com`
 * (one found under that name must carry Trellis' description for the cluster, else
 * `AlreadyExists`), `{ email }` records the user's (never deleted), `'none'` forgets any.
 * A create IAM answers with 409 (a retried call whose first answer was lost) adopts the account.
 */
export async function ensureServiceAccount(context: GcpInfrastructureContext): Promise<void> {
  const { config, state, project, names } = context;
  const choice = config.serviceAccount ?? 'create';
  if (choice === 'none') return;
  if (typeof choice === 'object') {
    state.set(stateKeys.serviceAccount, { id: choice.email, kind: 'service-account', managed: false });
    return;
  }
  const email = serviceAccountEmail(names.serviceAccountId, project);
  const description = ownedDescription('service account', context.cluster);
  let account = await getServiceAccount(context, email);
  if (!account) {
    state.markPending(stateKeys.serviceAccount, { kind: 'service-account', name: email });
    await context.saveState();
    try {
      const response = await context.gcp.api.call(
        'serviceAccounts.create',
        () =>
          context.iam().projects.serviceAccounts.create({
            name: `projects/${project}`,
            requestBody: {
              accountId: names.serviceAccountId,
              serviceAccount: { displayName: `${context.cluster} nodes`, description },
            },
          }),
        { operation: context.operation, signal: context.signal },
      );
      account = response.data;
    } catch (error) {
      if (!TrellisError.hasCode(error, 'AlreadyExists')) throw error;
      account = await getServiceAccount(context, email);
    }
  }
  if (account?.description !== description) {
    throw new TrellisError({
      code: 'AlreadyExists',
      provider: 'gcp',
      operation: context.operation,
      message: `service account ${email} exists but is not cluster ${context.cluster}'s`,
    });
  }
  state.set(stateKeys.serviceAccount, { id: email, kind: 'service-account' });
}

/** Deletes the service account Trellis created; a missing one is success. */
export async function deleteServiceAccount(context: GcpInfrastructureContext, email: string): Promise<void> {
  try {
    await context.gcp.api.call(
      'serviceAccounts.delete',
      () => context.iam().projects.serviceAccounts.delete({ name: resourceName(context.project, email) }),
      { operation: context.operation, signal: context.signal },
    );
  } catch (error) {
    if (!TrellisError.hasCode(error, 'NotFound')) throw error;
  }
}

/** The description check of a delete after a crash: only an account Trellis made for the cluster goes. */
export async function isOwnServiceAccount(
  context: GcpInfrastructureContext,
  email: string,
): Promise<boolean> {
  const account = await getServiceAccount(context, email);
  return account?.description === ownedDescription('service account', context.cluster);
}
