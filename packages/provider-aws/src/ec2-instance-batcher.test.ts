import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { toTrellisError } from './aws-errors.js';
import { missingInstanceIds } from './ec2-instance-batcher.js';

describe('missingInstanceIds', () => {
  const notFound = (message: string) =>
    toTrellisError(
      new EC2ServiceException({
        name: 'InvalidInstanceID.NotFound',
        $fault: 'client',
        message,
        $metadata: {},
      }),
      { operation: 'getMachine' },
    );

  it("reads the ids from EC2's message", () => {
    expect(missingInstanceIds(notFound("The instance ID 'i-0abc' does not exist"))).toEqual(['i-0abc']);
    expect(missingInstanceIds(notFound("The instance IDs 'i-1, i-2' do not exist"))).toEqual(['i-1', 'i-2']);
  });

  it('gives up on other errors and unreadable messages', () => {
    expect(missingInstanceIds(notFound('gone'))).toBeUndefined();
    expect(missingInstanceIds(new Error("The instance ID 'i-1' does not exist"))).toBeUndefined();
  });
});
