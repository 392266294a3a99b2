import type { FakeDefinition } from '@trellis/core';
import { addStartFaults } from '@trellis/testkit/fake';
import { startEc2Fake } from './ec2-fake-server.js';

const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTRELLISFAKE', secretAccessKey: 'trellis-fake-secret' };

/**
 * `trellis fake aws`: the offline EC2 + IAM fake on one endpoint, with the settings and
 * environment that point the provider, the `aws` CLI and the SDKs at it.
 */
export const fakeDefinition: FakeDefinition = {
  type: 'aws',
  async start(options = {}) {
    const region = 'eu-west-1';
    const fake = await startEc2Fake({
      region,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
    addStartFaults(fake.faults, options);
    return {
      endpoints: { ec2: fake.url, iam: fake.url },
      providerSettings: {
        region,
        endpoints: { ec2: fake.url, iam: fake.url },
        credentials: FAKE_CREDENTIALS,
      },
      environment: {
        AWS_ENDPOINT_URL_EC2: fake.url,
        AWS_ENDPOINT_URL_IAM: fake.url,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      },
      notes: [
        'EC2 and IAM only: S3 is not faked here (use an S3 emulator such as s3rver for backups).',
        'Any credentials are accepted; state lives in memory and is gone when the fake stops.',
      ],
      close: () => fake.close(),
    };
  },
};
