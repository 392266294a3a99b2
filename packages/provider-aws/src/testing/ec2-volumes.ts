import { privateDnsName } from './ec2-addressing.js';
import { applyFilters, paginate, selectByIds, tagFilterValues } from './ec2-describe.js';
import { FAKE_ACCOUNT_ID } from './ec2-fake-state.js';
import type { ActionHandler } from './ec2-handler.js';

/** DescribeVolumes and DescribeNetworkInterfaces: the disks and NICs instances (and NAT gateways) own. */
export const volumeHandlers: Record<string, ActionHandler> = {
  DescribeVolumes({ params, state }) {
    const ids = params.strings('VolumeId');
    const volumes = applyFilters(selectByIds(state.volumes, ids), params.filters(), (volume, name) => {
      const tags = tagFilterValues(state, volume.volumeId, name);
      if (tags) return tags;
      if (name === 'volume-id') return [volume.volumeId];
      if (name === 'attachment.instance-id') return [volume.instanceId];
      if (name === 'status') return [volume.instanceId ? 'in-use' : 'available'];
      if (name === 'availability-zone') return [volume.availabilityZone];
      if (name === 'volume-type') return [volume.volumeType];
      return undefined;
    });
    const page = paginate(volumes, params, { max: 500, idsGiven: ids.length > 0 });
    return {
      volumeSet: page.items.map((volume) => {
        const device = volume.instanceId
          ? state.instances
              .get(volume.instanceId)
              ?.blockDevices.find((item) => item.volumeId === volume.volumeId)
          : undefined;
        return {
          volumeId: volume.volumeId,
          size: volume.size,
          snapshotId: '',
          availabilityZone: volume.availabilityZone,
          status: volume.instanceId ? 'in-use' : 'available',
          createTime: volume.createTime,
          attachmentSet: volume.instanceId
            ? [
                {
                  volumeId: volume.volumeId,
                  instanceId: volume.instanceId,
                  device: volume.deviceName,
                  status: 'attached',
                  attachTime: volume.createTime,
                  deleteOnTermination: device?.deleteOnTermination ?? true,
                },
              ]
            : [],
          volumeType: volume.volumeType,
          iops: device?.iops,
          throughput: device?.throughput,
          encrypted: volume.encrypted,
          kmsKeyId: device?.kmsKeyId,
          tagSet: state.tagSet(volume.volumeId),
          multiAttachEnabled: false,
        };
      }),
      nextToken: page.nextToken,
    };
  },

  DescribeNetworkInterfaces({ params, state, region }) {
    const ids = params.strings('NetworkInterfaceId');
    const interfaces = applyFilters(
      selectByIds(state.networkInterfaces, ids),
      params.filters(),
      (item, name) => {
        const tags = tagFilterValues(state, item.networkInterfaceId, name);
        if (tags) return tags;
        if (name === 'network-interface-id') return [item.networkInterfaceId];
        if (name === 'attachment.instance-id') return [item.instanceId];
        if (name === 'subnet-id') return [item.subnetId];
        if (name === 'vpc-id') return [item.vpcId];
        if (name === 'status') return [item.instanceId ? 'in-use' : 'available'];
        if (name === 'group-id') return item.groups.map((group) => group.groupId);
        if (name === 'private-ip-address') return [item.privateIpAddress];
        return undefined;
      },
    );
    const page = paginate(interfaces, params, { idsGiven: ids.length > 0 });
    return {
      networkInterfaceSet: page.items.map((item) => ({
        networkInterfaceId: item.networkInterfaceId,
        subnetId: item.subnetId,
        vpcId: item.vpcId,
        availabilityZone: item.subnetId ? state.subnets.get(item.subnetId)?.availabilityZone : undefined,
        description: '',
        ownerId: FAKE_ACCOUNT_ID,
        requesterManaged: false,
        status: item.instanceId ? 'in-use' : 'available',
        macAddress: item.macAddress,
        privateIpAddress: item.privateIpAddress,
        privateDnsName: privateDnsName(item.privateIpAddress, region),
        sourceDestCheck: true,
        groupSet: item.groups.map((group) => ({ groupId: group.groupId, groupName: group.groupName })),
        attachment: item.instanceId
          ? {
              attachmentId: item.attachmentId,
              instanceId: item.instanceId,
              instanceOwnerId: FAKE_ACCOUNT_ID,
              deviceIndex: item.deviceIndex,
              status: 'attached',
              deleteOnTermination: item.deleteOnTermination,
            }
          : undefined,
        association: item.publicIpAddress
          ? { publicIp: item.publicIpAddress, ipOwnerId: 'amazon' }
          : undefined,
        privateIpAddressesSet: [{ privateIpAddress: item.privateIpAddress, primary: true }],
        ipv6AddressesSet: [],
        tagSet: state.tagSet(item.networkInterfaceId),
        interfaceType: 'interface',
      })),
      nextToken: page.nextToken,
    };
  },
};
