import { describe, expect, it } from 'vitest';
import { alicloudMachineClass } from '../src/index.js';

const valid = {
  imageID: 'm-gw8abc',
  instanceType: 'ecs.g7.large',
  region: 'eu-central-1',
  zoneID: 'eu-central-1a',
  vSwitchID: 'vsw-1',
  securityGroupID: 'sg-1',
  keyPairName: 'shoot--p--c-ssh',
  systemDisk: { category: 'cloud_essd', size: 50 },
  dataDisks: [{ name: 'data', category: 'cloud_essd', size: 100, deleteWithInstance: true }],
  internetChargeType: 'PayByTraffic',
  internetMaxBandwidthIn: 5,
  internetMaxBandwidthOut: 5,
  spotStrategy: 'NoSpot',
  tags: { 'kubernetes.io/cluster/shoot--p--c': '1', 'kubernetes.io/role/worker/shoot--p--c': '1' },
};

const problems = (spec: unknown) => {
  const result = alicloudMachineClass.validate(spec);
  return result.success ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
};

describe('the Alicloud machine class', () => {
  it('takes what Gardener puts into it', () => {
    expect(problems(valid)).toEqual([]);
    expect(alicloudMachineClass.parse(valid).dataDisks?.[0]?.size).toBe(100);
  });

  it('reports every problem with its field path: required fields, disks, tags, reserved addresses', () => {
    const { imageID: _image, keyPairName: _key, ...withoutRequired } = valid;
    expect(problems(withoutRequired).sort()).toEqual(['imageID: is required', 'keyPairName: is required']);
    expect(
      problems({
        ...valid,
        zoneID: 'cn-hangzhou-b',
        privateIPAddress: '100.100.100.200',
        tags: { team: 'a' },
        dataDisks: [
          { name: '1data', category: 'cloud_essd', size: 10 },
          { name: 'logs', category: 'cloud_essd', size: 40000 },
          { name: 'logs', category: 'cloud_essd', size: 100 },
          { name: 'scratch', category: 'DiskEphemeralSSD', size: 100, deleteWithInstance: false },
        ],
      }).sort(),
    ).toEqual(
      [
        'dataDisks[0].name: must start with a letter and hold only letters, digits, ".", "-", "_" and ":"',
        'dataDisks[0].size: must be 20 to 32768 GiB',
        'dataDisks[1].size: must be 20 to 32768 GiB',
        'dataDisks[2].name: repeats dataDisks[1].name',
        'dataDisks[3].deleteWithInstance: an ephemeral SSD always goes with its instance',
        'privateIPAddress: must not lie in 100.64.0.0/10, which Alibaba Cloud reserves (100.100.100.200 is the metadata server)',
        'tags: must hold a key with kubernetes.io/cluster/<cluster>',
        'tags: must hold a key with kubernetes.io/role/<role>',
        'zoneID: must be a zone of region eu-central-1',
      ].sort(),
    );
    expect(problems({ ...valid, IoOptimized: 'yes', internetMaxBandwidthOut: 101 }).sort()).toEqual([
      'IoOptimized: Invalid option: expected one of "none"|"optimized"',
      'internetMaxBandwidthOut: Too big: expected number to be <=100',
    ]);
  });

  it('publishes a JSON Schema of the input', () => {
    const schema = alicloudMachineClass.toJsonSchema() as { required?: string[] };
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'imageID',
        'instanceType',
        'region',
        'zoneID',
        'vSwitchID',
        'tags',
        'keyPairName',
      ]),
    );
  });
});
