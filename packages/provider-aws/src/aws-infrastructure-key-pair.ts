import { createHash } from 'node:crypto';
import { DeleteKeyPairCommand, DescribeKeyPairsCommand, ImportKeyPairCommand } from '@aws-sdk/client-ec2';
import { TrellisError } from '@trellis/core';
import {
  call,
  describeOrUndefined,
  type InfrastructureContext,
  tagRecord,
} from './aws-infrastructure-context.js';
import { clusterTagKey, resourceNames, stateKeys, tagSpecifications } from './aws-infrastructure-names.js';

function keyDigest(publicKey: string): string {
  return createHash('sha256').update(publicKey.trim()).digest('hex');
}

/**
 * Step `key-pair`: imports `sshPublicKey` as the cluster's EC2 key pair. A changed key replaces
 * the pair (EC2 cannot update one); a pair of the same name that is not the cluster's is refused.
 */
export async function ensureKeyPair(context: InfrastructureContext): Promise<void> {
  const { cluster } = context;
  const publicKey = context.config.sshPublicKey;
  if (!publicKey) return;
  const name = resourceNames.keyPair(cluster);
  const digest = keyDigest(publicKey);
  const operation = 'reconcile:key-pair';
  const existing = await describeOrUndefined(context, 'DescribeKeyPairs', operation, async () => {
    return (await context.ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name] }))).KeyPairs?.[0];
  });
  if (existing) {
    if (tagRecord(existing.Tags)[clusterTagKey(cluster)] !== 'owned') {
      throw new TrellisError({
        code: 'AlreadyExists',
        provider: 'aws',
        operation,
        message: `key pair "${name}" exists but is not tagged ${clusterTagKey(cluster)}=owned; refusing to adopt it`,
      });
    }
    const recordedDigest = context.state.get(stateKeys.keyPair)?.attributes?.publicKeySha256;
    if (recordedDigest === undefined || recordedDigest === digest) {
      context.state.set(stateKeys.keyPair, {
        id: name,
        kind: 'key-pair',
        managed: true,
        attributes: { publicKeySha256: digest, keyPairId: existing.KeyPairId ?? '' },
      });
      return;
    }
    await call(context, 'DeleteKeyPair', operation, () =>
      context.ec2.send(new DeleteKeyPairCommand({ KeyName: name })),
    );
  }
  const imported = await call(context, 'ImportKeyPair', operation, () =>
    context.ec2.send(
      new ImportKeyPairCommand({
        KeyName: name,
        PublicKeyMaterial: new TextEncoder().encode(publicKey.trim()),
        TagSpecifications: tagSpecifications('key-pair', cluster, name),
      }),
    ),
  );
  context.state.set(stateKeys.keyPair, {
    id: name,
    kind: 'key-pair',
    managed: true,
    attributes: { publicKeySha256: digest, keyPairId: imported.KeyPairId ?? '' },
  });
}
