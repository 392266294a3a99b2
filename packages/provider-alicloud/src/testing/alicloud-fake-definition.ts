import type { FakeDefinition } from '@trellis/core';
import { addStartFaults } from '@trellis/testkit/fake';
import { FAKE_ACCESS_KEY, startEcsFake } from './ecs-fake-server.js';
import { startOssFake } from './oss-fake.js';

const REGION = 'eu-central-1';

/**
 * `trellis fake alicloud`: the offline ECS/VPC API (one server for both SDKs) and the OSS server
 * (on the next port when a port is given), with the provider settings that point at them.
 */
export const fakeDefinition: FakeDefinition = {
  type: 'alicloud',
  async start(options = {}) {
    const host = options.host === undefined ? {} : { host: options.host };
    const api = await startEcsFake({
      ...host,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    const oss = await startOssFake({
      ...host,
      ...(options.port === undefined ? {} : { port: options.port + 1 }),
    }).catch(async (error: unknown) => {
      await api.close();
      throw error;
    });
    addStartFaults(api.faults, options);
    addStartFaults(oss.faults, options);
    return {
      endpoints: { ecs: api.url, vpc: api.url, oss: oss.url },
      providerSettings: {
        region: REGION,
        credentials: { ...FAKE_ACCESS_KEY },
        endpoints: { ecs: api.url, vpc: api.url, oss: oss.url },
        statusPollMs: 20,
      },
      environment: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_ACCESS_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_ACCESS_KEY.accessKeySecret,
      },
      notes: [
        `ECS and VPC (${REGION}) on one HTTP server, ACS3 and RPC v1 signatures checked: instances, security groups, VPCs, vSwitches, Enhanced NAT gateways, EIPs, SNAT entries. Point @alicloud/ecs20140526 and @alicloud/vpc20160428 at ${api.endpoint} with protocol HTTP.`,
        `OSS with V1 signatures (ali-oss: endpoint ${oss.url}; buckets are made with ensureOssBucket or putBucket, objects kept in temporary files).`,
      ],
      close: async () => {
        await Promise.all([api.close(), oss.close()]);
      },
    };
  },
};
