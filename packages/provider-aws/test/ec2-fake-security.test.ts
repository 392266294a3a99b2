import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  ImportKeyPairCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createOwnedVpc, ownedTags, rejectionOf, useEc2Fake } from './ec2-fake-clients.js';

const cloud = useEc2Fake({
  delays: { pendingMs: 10, shuttingDownMs: 10, natGatewayPendingMs: 30, natGatewayDeletingMs: 30 },
});

describe('EC2 fake: security groups and key pairs through @aws-sdk/client-ec2', () => {
  it('manages security groups, rules and key pairs', async () => {
    const vpcId = await createOwnedVpc(cloud.ec2, 'net-d', '10.3.0.0/16');
    const { GroupId } = await cloud.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: 'nodes',
        Description: 'nodes',
        TagSpecifications: ownedTags('security-group', 'net-d'),
      }),
    );
    const duplicateGroup = await rejectionOf(
      cloud.ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'nodes', Description: 'again' }),
      ),
    );
    expect(duplicateGroup.name).toBe('InvalidGroup.Duplicate');
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const self = { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId }] };
    const added = await cloud.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [ssh, self] }),
    );
    expect(added.SecurityGroupRules).toHaveLength(2);
    expect(
      (
        await rejectionOf(
          cloud.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [ssh] })),
        )
      ).name,
    ).toBe('InvalidPermission.Duplicate');
    const egressDuplicate = await rejectionOf(
      cloud.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId,
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      ),
    );
    expect(egressDuplicate.name).toBe('InvalidPermission.Duplicate');
    const described = await cloud.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId!] }));
    expect(described.SecurityGroups?.[0]?.IpPermissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        }),
        expect.objectContaining({
          IpProtocol: '-1',
          UserIdGroupPairs: [expect.objectContaining({ GroupId })],
        }),
      ]),
    );
    await cloud.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [ssh] }));
    expect(
      (
        await rejectionOf(
          cloud.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [ssh] })),
        )
      ).name,
    ).toBe('InvalidPermission.NotFound');

    const created = await cloud.ec2.send(
      new CreateKeyPairCommand({ KeyName: 'net-d-key', TagSpecifications: ownedTags('key-pair', 'net-d') }),
    );
    expect(created.KeyMaterial).toContain('BEGIN RSA PRIVATE KEY');
    expect((await rejectionOf(cloud.ec2.send(new CreateKeyPairCommand({ KeyName: 'net-d-key' })))).name).toBe(
      'InvalidKeyPair.Duplicate',
    );
    const publicKey =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ4mhEYgYaLDiHchMQh5UOy3JoNhzmRKH9Yl2OcM3EOW test@host';
    const imported = await cloud.ec2.send(
      new ImportKeyPairCommand({ KeyName: 'net-d-imported', PublicKeyMaterial: Buffer.from(publicKey) }),
    );
    expect(imported.KeyFingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const keys = await cloud.ec2.send(
      new DescribeKeyPairsCommand({
        Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/net-d'] }],
      }),
    );
    expect(keys.KeyPairs?.map((key) => key.KeyName)).toEqual(['net-d-key']);
    await cloud.ec2.send(new DeleteKeyPairCommand({ KeyName: 'net-d-key' }));
    await cloud.ec2.send(new DeleteKeyPairCommand({ KeyName: 'net-d-key' }));
    await cloud.ec2.send(new DeleteKeyPairCommand({ KeyName: 'net-d-imported' }));
    expect(
      (await rejectionOf(cloud.ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['net-d-key'] })))).name,
    ).toBe('InvalidKeyPair.NotFound');

    const defaultGroup = (
      await cloud.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      )
    ).SecurityGroups![0]!.GroupId!;
    expect(
      (await rejectionOf(cloud.ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup })))).name,
    ).toBe('CannotDelete');
    expect((await rejectionOf(cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).name).toBe(
      'DependencyViolation',
    );
    await cloud.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    await cloud.ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });
});
