import { CreateTagsCommand, DeleteTagsCommand, type Tag } from '@aws-sdk/client-ec2';
import { call, type InfrastructureContext, tagRecord } from './aws-infrastructure-context.js';

function isIgnored(context: InfrastructureContext, key: string): boolean {
  const ignore = context.config.ignoreTags;
  return (
    key.startsWith('aws:') ||
    (ignore?.keys ?? []).includes(key) ||
    (ignore?.keyPrefixes ?? []).some((prefix) => key.startsWith(prefix))
  );
}

/**
 * Brings the tags of a managed EC2 resource found by a lookup back to the desired ones, as
 * Gardener does: missing or changed tags are written, foreign tags removed unless
 * `ignoreTags` covers them. Costs no call when nothing drifted.
 */
export async function reconcileTags(
  context: InfrastructureContext,
  resourceId: string,
  current: readonly Tag[] | undefined,
  desired: readonly Tag[],
): Promise<void> {
  const have = tagRecord(current);
  const want = tagRecord(desired);
  const missing = desired.filter((tag) => have[tag.Key ?? ''] !== tag.Value);
  const foreign = Object.keys(have).filter((key) => !(key in want) && !isIgnored(context, key));
  if (missing.length > 0) {
    await call(context, 'CreateTags', 'reconcile:tags', () =>
      context.ec2.send(new CreateTagsCommand({ Resources: [resourceId], Tags: missing })),
    );
  }
  if (foreign.length > 0) {
    await call(context, 'DeleteTags', 'reconcile:tags', () =>
      context.ec2.send(
        new DeleteTagsCommand({ Resources: [resourceId], Tags: foreign.map((Key) => ({ Key })) }),
      ),
    );
  }
}
