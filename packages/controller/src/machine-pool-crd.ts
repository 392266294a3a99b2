import { MACHINE_POOL_API } from './kubernetes-pool-source.js';

/**
 * The `trellis.dev/v1alpha1` `MachinePool` CustomResourceDefinition for the given providers: their
 * types are the values `spec.provider` may take. With one provider, `spec.machineClass` is checked
 * against that provider's machine class JSON Schema (`definition.schemas.machineClass.toJsonSchema()`)
 * by the API server itself; with several, it is kept as sent and the admission webhook (or the
 * controller) checks it. The status subresource holds what the controller reports.
 */
export function machinePoolCustomResourceDefinition(
  machineClassSchemas: Readonly<Record<string, Record<string, unknown>>>,
): Record<string, unknown> {
  const types = Object.keys(machineClassSchemas).sort();
  if (types.length === 0) throw new Error('machinePoolCustomResourceDefinition: name at least one provider');
  const only = types.length === 1 ? machineClassSchemas[types[0]!]! : undefined;
  const { $schema: _draft, ...machineClass } = only ?? {};
  const count = () => ({ type: 'integer', minimum: 0 });
  const { group, version, plural } = MACHINE_POOL_API;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: {
        kind: 'MachinePool',
        listKind: 'MachinePoolList',
        plural,
        singular: 'machinepool',
        shortNames: ['mp'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Cluster', type: 'string', jsonPath: '.spec.cluster' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'integer', jsonPath: '.status.ready' },
            { name: 'Converged', type: 'boolean', jsonPath: '.status.converged' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['provider', 'cluster', 'replicas', 'machineClass'],
                  properties: {
                    provider: { type: 'string', enum: types },
                    cluster: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
                    replicas: count(),
                    maxSurge: count(),
                    maxUnavailable: count(),
                    userData: { type: 'string' },
                    machineClass: only
                      ? machineClass
                      : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}
