import { describe, expect, it } from 'vitest';
import { QueryParams } from './ec2-query.js';

describe('QueryParams', () => {
  it('reads EC2 filters, tag specifications and flattened lists in index order', () => {
    const params = QueryParams.parse(
      [
        'Action=DescribeInstances',
        'Filter.2.Name=instance-state-name',
        'Filter.2.Value.1=running',
        'Filter.1.Name=tag%3Akubernetes.io%2Fcluster%2Fa',
        'Filter.1.Value.2=shared',
        'Filter.1.Value.1=owned',
        'InstanceId.10=i-10',
        'InstanceId.2=i-2',
        'TagSpecification.1.ResourceType=instance',
        'TagSpecification.1.Tag.1.Key=Name',
        'TagSpecification.1.Tag.1.Value=a%26b',
      ].join('&'),
    );
    expect(params.filters()).toEqual([
      { name: 'tag:kubernetes.io/cluster/a', values: ['owned', 'shared'] },
      { name: 'instance-state-name', values: ['running'] },
    ]);
    expect(params.strings('InstanceId')).toEqual(['i-2', 'i-10']);
    expect(params.tagSpecifications()).toEqual([
      { resourceType: 'instance', tags: [{ key: 'Name', value: 'a&b' }] },
    ]);
  });

  it("reads IAM's member lists and nested structures", () => {
    const params = QueryParams.parse(
      'Tags.member.1.Key=team&Tags.member.1.Value=blue&Placement.AvailabilityZone=eu-west-1a&MaxCount=2',
    );
    expect(params.tags('Tags')).toEqual([{ key: 'team', value: 'blue' }]);
    expect(params.child('Placement')?.string('AvailabilityZone')).toBe('eu-west-1a');
    expect(params.int('MaxCount')).toBe(2);
    expect(() => params.required('ImageId')).toThrow(/ImageId/);
  });

  it('fingerprints parameters independently of their order', () => {
    const first = QueryParams.parse('A=1&B.1=x&ClientToken=t1');
    const second = QueryParams.parse('B.1=x&A=1&ClientToken=t2');
    expect(first.fingerprint(['ClientToken'])).toBe(second.fingerprint(['ClientToken']));
    expect(first.fingerprint()).not.toBe(second.fingerprint());
  });
});
