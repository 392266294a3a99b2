import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from '@trellis/core';
import { createFakeTlsCertificate } from '@trellis/testkit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdmissionServer, startAdmissionServer } from '../src/index.js';

/** The v1 AdmissionReview answer, as the API server reads it. */
const answerSchema = z.strictObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  response: z.strictObject({
    uid: z.string().min(1),
    allowed: z.boolean(),
    status: z
      .strictObject({
        code: z.number().int(),
        reason: z.string(),
        message: z.string(),
        details: z
          .strictObject({
            causes: z.array(
              z.strictObject({
                type: z.literal('FieldValueInvalid'),
                field: z.string(),
                message: z.string(),
              }),
            ),
          })
          .optional(),
      })
      .optional(),
  }),
});

let directory: string;
let server: AdmissionServer;
let ca: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trellis-admission-'));
  const certificate = await createFakeTlsCertificate();
  ca = certificate.ca;
  await writeFile(join(directory, 'tls.crt'), certificate.cert);
  await writeFile(join(directory, 'tls.key'), certificate.key);
  server = await startAdmissionServer({
    certFile: join(directory, 'tls.crt'),
    keyFile: join(directory, 'tls.key'),
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: 64 * 1024,
    reloadIntervalMs: 20,
  });
});
afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

/** POSTs over HTTPS with Node's client, trusting only the server's CA. */
function post(
  body: string | Buffer,
  options: { method?: string; contentType?: string; trust?: string } = {},
) {
  return new Promise<{ status: number; json: unknown; peer: string }>((resolve, reject) => {
    const call = request(
      `${server.url}/validate`,
      {
        method: options.method ?? 'POST',
        ca: options.trust ?? ca,
        headers: { 'content-type': options.contentType ?? 'application/json' },
      },
      (response) => {
        const socket = response.socket as unknown as { getPeerCertificate(): { fingerprint256?: string } };
        const peer = String(socket.getPeerCertificate().fingerprint256);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, peer });
        });
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

const review = (request: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'b5d0-1', ...request },
  });
const machineClassKind = { group: 'machine.sapcloud.io', version: 'v1alpha1', kind: 'MachineClass' };
const infrastructureKind = {
  group: 'extensions.gardener.cloud',
  version: 'v1alpha1',
  kind: 'Infrastructure',
};

async function answerOf(body: string) {
  const { status, json } = await post(body);
  expect(status).toBe(200);
  return answerSchema.parse(json).response;
}

describe('the admission webhook over HTTPS', () => {
  it('allows a valid machine class of an installed provider on create', async () => {
    const response = await answerOf(
      review({
        operation: 'CREATE',
        kind: machineClassKind,
        object: { provider: 'local', providerSpec: { machineType: 'local' } },
      }),
    );
    expect(response).toEqual({ uid: 'b5d0-1', allowed: true });
  });

  it('denies an invalid infrastructure config with every problem at its field path in the object', async () => {
    const response = await answerOf(
      review({
        operation: 'CREATE',
        kind: infrastructureKind,
        object: {
          spec: {
            type: 'azure',
            region: 'westeurope',
            providerConfig: {
              zoned: true,
              networks: {
                vnet: { cidr: '10.250.0.0/16' },
                zones: [
                  { name: 1, cidr: '10.251.0.0/19' },
                  { name: 7, cidr: '10.250.0.0/19' },
                ],
              },
            },
          },
        },
      }),
    );
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(response.status?.details?.causes.map((cause) => cause.field)).toEqual([
      'spec.providerConfig.networks.zones[1].name',
      'spec.providerConfig.networks.zones[0].cidr',
    ]);
    expect(response.status?.message).toContain(
      'spec.providerConfig.networks.zones[0].cidr: "10.251.0.0/19" must lie inside networks.vnet.cidr',
    );
  });

  it('denies a change of provider type on update, and allows deletes and dry runs of valid objects', async () => {
    const object = { spec: { type: 'gcp', providerConfig: { networks: { workers: '10.250.0.0/16' } } } };
    const changed = await answerOf(
      review({
        operation: 'UPDATE',
        kind: infrastructureKind,
        object,
        oldObject: { spec: { type: 'azure', providerConfig: {} } },
      }),
    );
    expect(changed.allowed).toBe(false);
    expect(changed.status?.details?.causes).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.type', message: 'is immutable (was "azure")' },
    ]);
    expect(
      (
        await answerOf(
          review({ operation: 'UPDATE', kind: infrastructureKind, object, oldObject: object, dryRun: true }),
        )
      ).allowed,
    ).toBe(true);
    expect(
      (await answerOf(review({ operation: 'DELETE', kind: infrastructureKind, oldObject: object }))).allowed,
    ).toBe(true);
  });

  it("enforces each provider's update rules from oldObject (Gardener's immutable fields)", async () => {
    const infrastructure = (type: string, providerConfig: unknown) => ({ spec: { type, providerConfig } });
    const azure = (zones: Array<{ name: number; cidr: string }>, cidr = '10.250.0.0/16') =>
      infrastructure('azure', { zoned: true, networks: { vnet: { cidr }, zones } });
    const update = (object: unknown, oldObject: unknown) =>
      answerOf(review({ operation: 'UPDATE', kind: infrastructureKind, object, oldObject }));
    const shrunk = await update(
      azure([{ name: 1, cidr: '10.250.0.0/20' }], '10.250.0.0/17'),
      azure([
        { name: 1, cidr: '10.250.0.0/19' },
        { name: 2, cidr: '10.250.32.0/19' },
      ]),
    );
    expect(shrunk.allowed).toBe(false);
    expect(shrunk.status?.details?.causes.map((cause) => `${cause.field}: ${cause.message}`)).toEqual([
      'spec.providerConfig.networks.vnet.cidr: may only grow: it must contain the current "10.250.0.0/16"',
      'spec.providerConfig.networks.zones[0].cidr: is immutable',
      'spec.providerConfig.networks.zones: zone 2 cannot be removed',
    ]);
    const grown = await update(
      azure(
        [
          { name: 1, cidr: '10.250.0.0/19' },
          { name: 3, cidr: '10.251.0.0/19' },
        ],
        '10.250.0.0/15',
      ),
      azure([{ name: 1, cidr: '10.250.0.0/19' }]),
    );
    expect(grown.allowed).toBe(true);
    const gcp = await update(
      infrastructure('gcp', { networks: { workers: '10.251.0.0/16' } }),
      infrastructure('gcp', { networks: { workers: '10.250.0.0/16' } }),
    );
    expect(gcp.status?.details?.causes).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.providerConfig.networks.workers', message: 'is immutable' },
    ]);
    const aws = (zones: unknown[]) =>
      infrastructure('aws', { networks: { vpc: { cidr: '10.250.0.0/16' }, zones } });
    const zone = (name: string, third: number) => ({
      name,
      workers: `10.250.${third}.0/22`,
      public: `10.250.${third + 4}.0/22`,
      internal: `10.250.${third + 8}.0/22`,
    });
    const removed = await update(
      aws([zone('eu-west-1a', 0)]),
      aws([zone('eu-west-1a', 0), zone('eu-west-1b', 16)]),
    );
    expect(removed.allowed).toBe(false);
    expect(removed.status?.message).toContain('zone "eu-west-1b" may not be removed');
  });

  it('checks Alibaba Cloud machine classes and infrastructure updates (MCM\'s "Alicloud" provider name)', async () => {
    const machineClass = await answerOf(
      review({
        operation: 'CREATE',
        kind: machineClassKind,
        object: {
          provider: 'Alicloud',
          providerSpec: {
            imageID: 'm-gw8abc',
            instanceType: 'ecs.g7.large',
            region: 'eu-central-1',
            zoneID: 'eu-central-1a',
            vSwitchID: 'vsw-nodes',
            keyPairName: 'shoot--p--c-ssh',
            dataDisks: [{ name: 'data', category: 'cloud_essd', size: 5 }],
            tags: { 'kubernetes.io/cluster/shoot--p--c': '1', 'kubernetes.io/role/worker/shoot--p--c': '1' },
          },
        },
      }),
    );
    expect(machineClass.allowed).toBe(false);
    expect(machineClass.status?.details?.causes.map((cause) => cause.field)).toEqual([
      'providerSpec.dataDisks[0].size',
    ]);
    const infrastructure = (zones: Array<{ name: string; workers: string }>) => ({
      spec: { type: 'alicloud', providerConfig: { networks: { vpc: { cidr: '10.250.0.0/16' }, zones } } },
    });
    const updated = await answerOf(
      review({
        operation: 'UPDATE',
        kind: infrastructureKind,
        object: infrastructure([{ name: 'eu-central-1a', workers: '10.250.64.0/19' }]),
        oldObject: infrastructure([
          { name: 'eu-central-1a', workers: '10.250.0.0/19' },
          { name: 'eu-central-1b', workers: '10.250.32.0/19' },
        ]),
      }),
    );
    expect(updated.status?.details?.causes.map((cause) => `${cause.field}: ${cause.message}`)).toEqual([
      'spec.providerConfig.networks.zones[0].workers: is immutable',
      'spec.providerConfig.networks.zones: zone eu-central-1b cannot be removed',
    ]);
  });

  it('denies, never crashes on, unknown kinds, missing providers and providers that are not installed', async () => {
    const unknown = await answerOf(
      review({ operation: 'CREATE', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, object: {} }),
    );
    expect(unknown).toMatchObject({ allowed: false, status: { code: 400, reason: 'BadRequest' } });
    expect(unknown.status?.message).toContain('this webhook validates machine.sapcloud.io/MachineClass');
    const noProvider = await answerOf(
      review({ operation: 'CREATE', kind: machineClassKind, object: { providerSpec: {} } }),
    );
    expect(noProvider.status?.details?.causes).toEqual([
      { type: 'FieldValueInvalid', field: 'provider', message: 'is required' },
    ]);
    const missing = await answerOf(
      review({
        operation: 'CREATE',
        kind: machineClassKind,
        object: { provider: 'nosuchcloud', providerSpec: {} },
      }),
    );
    expect(missing.status?.details?.causes[0]?.message).toMatch(
      /provider "nosuchcloud" cannot be checked here: .*not installed/,
    );
  });

  it('answers malformed, foreign, oversized and wrongly sent bodies with a clear HTTP error', async () => {
    expect(await post('{"kind": "AdmissionRev')).toMatchObject({
      status: 400,
      json: { message: 'the body is not JSON' },
    });
    expect(await post(JSON.stringify({ kind: 'Pod' }))).toMatchObject({ status: 400 });
    const v1beta1 = await post(
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1beta1',
        kind: 'AdmissionReview',
        request: { uid: 'x' },
      }),
    );
    expect(v1beta1).toMatchObject({
      status: 400,
      json: { message: expect.stringContaining('use admission.k8s.io/v1') },
    });
    expect(await post(review({ operation: 'CREATE' }).replace('"uid":"b5d0-1",', ''))).toMatchObject({
      status: 400,
      json: { message: 'request.uid is missing' },
    });
    const oversized = review({
      operation: 'CREATE',
      kind: machineClassKind,
      object: { provider: 'local', providerSpec: { pad: 'x'.repeat(100_000) } },
    });
    expect((await post(oversized)).status).toBe(413);
    expect((await post('{}', { contentType: 'text/plain' })).status).toBe(415);
    expect((await post('', { method: 'GET' })).status).toBe(405);
    // Still serving.
    expect(
      (
        await answerOf(
          review({
            operation: 'CREATE',
            kind: machineClassKind,
            object: { provider: 'local', providerSpec: { machineType: 'local' } },
          }),
        )
      ).allowed,
    ).toBe(true);
  });

  it('serves a renewed certificate once its files change, without a restart', async () => {
    const before = await post(review({ operation: 'DELETE', kind: machineClassKind }));
    const renewed = await createFakeTlsCertificate();
    await writeFile(join(directory, 'tls.key'), renewed.key);
    await writeFile(join(directory, 'tls.crt'), renewed.cert);
    const deadline = Date.now() + 10_000;
    let after = before;
    while (Date.now() < deadline) {
      after = await post(review({ operation: 'DELETE', kind: machineClassKind }), {
        trust: renewed.ca,
      }).catch(() => before);
      if (after.peer !== before.peer) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(after.peer).not.toBe(before.peer);
    expect(after.status).toBe(200);
    expect(server.reloads).toBeGreaterThan(0);
  });
});
