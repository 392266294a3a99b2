import { createHash } from 'node:crypto';
import { CLUSTER_TAG_PREFIX, checkDns1123Label, machineTags, NAME_TAG, NODE_ROLE_TAG } from '@trellis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveClientToken, deriveRequestId } from './client-token.js';
import {
  gceNetworkTag,
  sanitizeAlicloudTag,
  sanitizeAzureTagName,
  sanitizeGceLabelKey,
  sanitizeGceLabelValue,
} from './cloud-names.js';
import {
  decodeAzureOwnership,
  decodeGceOwnership,
  encodeAzureOwnership,
  encodeGceOwnership,
} from './ownership.js';

/** Cluster and machine names: DNS-1123 labels, as core validates them. */
const dnsLabel = fc
  .stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
  .filter((value) => checkDns1123Label(value, 'x') === undefined);

describe('client tokens', () => {
  it('are deterministic, at most 64 ASCII characters, and differ for different machines', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, dnsLabel, (cluster, first, second) => {
        const token = deriveClientToken(['trellis', cluster, first]);
        expect(token).toBe(deriveClientToken(['trellis', cluster, first]));
        expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
        if (first !== second) expect(token).not.toBe(deriveClientToken(['trellis', cluster, second]));
      }),
    );
    expect(deriveClientToken(['a'], { maxLength: 32 })).toHaveLength(32);
  });

  it('keep the AWS provider tokens as they were (sha256 hex of the joined parts)', () => {
    const expected = createHash('sha256').update('trellis/c/m/i-0abc').digest('hex');
    expect(deriveClientToken(['trellis', 'c', 'm', 'i-0abc'])).toBe(expected);
  });

  it('as GCE request ids are valid version 5 UUIDs, never all zeros, stable per mutation', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, (cluster, name) => {
        const id = deriveRequestId(['trellis', cluster, name, 'insert']);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(id).not.toBe('00000000-0000-0000-0000-000000000000');
        expect(id).toBe(deriveRequestId(['trellis', cluster, name, 'insert']));
        expect(id).not.toBe(deriveRequestId(['trellis', cluster, name, 'delete']));
      }),
    );
  });
});

describe('GCE labels and network tags', () => {
  it('label keys and values always follow GCE rules', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(sanitizeGceLabelKey(text)).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
        expect(sanitizeGceLabelValue(text)).toMatch(/^[a-z0-9_-]{0,63}$/);
      }),
    );
    expect(sanitizeGceLabelKey('Team.Name')).toBe('team_name');
    expect(sanitizeGceLabelKey('1_worker')).toBe('worker');
  });

  it('network tags follow RFC 1035, keep legal text and never merge two texts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), (first, second) => {
        expect(gceNetworkTag(first)).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
        if (first !== second) expect(gceNetworkTag(first)).not.toBe(gceNetworkTag(second));
      }),
    );
    expect(gceNetworkTag('kubernetes-io-role-node')).toBe('kubernetes-io-role-node');
  });
});

describe('Azure and Alibaba tags', () => {
  it('Azure tag names never hold a forbidden character and stay within 512', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (text) => {
        const name = sanitizeAzureTagName(text);
        expect(name).not.toMatch(/[<>%&\\?/]/);
        expect(name.length).toBeLessThanOrEqual(512);
      }),
    );
  });

  it('Alibaba tags never start with a reserved prefix and stay within 128', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('aliyun-x', 'acs:ecs', 'ALIYUN', 'https://a', 'aliyunaliyun')),
        (text) => {
          const tag = sanitizeAlicloudTag(text);
          expect(tag).not.toMatch(/^(aliyun|acs:|https?:\/\/)/i);
          expect(tag.length).toBeLessThanOrEqual(128);
        },
      ),
    );
  });
});

describe('ownership encodings', () => {
  it('round-trip core tags through Azure tags for every legal cluster, and never collide', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, dnsLabel, (cluster, other, name) => {
        const encoded = encodeAzureOwnership({ cluster, name });
        for (const key of Object.keys(encoded)) expect(key).not.toMatch(/[<>%&\\?/]/);
        expect(decodeAzureOwnership(encoded)).toEqual(machineTags(cluster, name));
        if (cluster !== other) {
          expect(Object.keys(encodeAzureOwnership({ cluster: other, name }))).not.toEqual(
            Object.keys(encoded),
          );
        }
      }),
    );
  });

  it('round-trip core tags through GCE labels and network tags, and never collide', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, dnsLabel, (cluster, other, name) => {
        const encoded = encodeGceOwnership({ cluster, name });
        for (const [key, value] of Object.entries(encoded.labels)) {
          expect(key).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
          expect(value).toMatch(/^[a-z0-9_-]{0,63}$/);
        }
        for (const tag of encoded.networkTags) expect(tag).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
        const decoded = decodeGceOwnership(encoded);
        expect(decoded).toEqual(machineTags(cluster, name));
        if (cluster !== other) {
          const theirs = encodeGceOwnership({ cluster: other, name });
          expect(theirs.networkTags[0]).not.toBe(encoded.networkTags[0]);
          expect(
            decodeGceOwnership({ labels: encoded.labels, networkTags: theirs.networkTags }),
          ).not.toHaveProperty(`${CLUSTER_TAG_PREFIX}${cluster}`);
        }
      }),
    );
  });

  it('keeps extra labels sanitised, and ownership wins over them', () => {
    const encoded = encodeGceOwnership({ cluster: 'c', name: 'm' }, { 'Team.Name': 'Blue', name: 'spoof' });
    expect(encoded.labels).toEqual({ team_name: 'blue', 'k8s-cluster-name': 'c', name: 'm' });
    expect(decodeGceOwnership(encoded)).toMatchObject({
      [NAME_TAG]: 'm',
      [NODE_ROLE_TAG]: '1',
      team_name: 'blue',
    });
  });
});
