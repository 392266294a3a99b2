/**
 * `@trellis/provider-alicloud/testing`: an offline Alibaba Cloud ECS and VPC API and an OSS server for tests, speaking both
 * wire dialects (the Tea SDKs' ACS3 signatures and the RPC v1 clients').
 *
 * @packageDocumentation
 */

export { type AcsCall, AcsRequestError, acsEncode, readAcsCall } from './acs-request.js';
export { fakeDefinition } from './alicloud-fake-definition.js';
export type { FakeDisk } from './ecs-fake-disks.js';
export { type FakeEcsInstance, indexedDisks, indexedTags } from './ecs-fake-instances.js';
export type { FakeSecurityGroupRule } from './ecs-fake-security-groups.js';
export { type EcsFake, type EcsFakeOptions, FAKE_ACCESS_KEY, startEcsFake } from './ecs-fake-server.js';
export type { FakeNetworkKind, FakeNetworkResource } from './fake-resource-table.js';
export { type FakeOssObject, type OssFake, type OssFakeOptions, startOssFake } from './oss-fake.js';
export { verifyOssSignature } from './oss-signature.js';
