// Prints the MachinePool CustomResourceDefinition for a provider (`node src/crd.ts local`): its
// `spec.machineClass` schema is the provider's machine class JSON Schema.
import { loadProvider } from '@trellis/core';
import { stringify } from 'yaml';

/** The CRD of `trellis.dev/v1alpha1` `MachinePool` with the machine class schema of a provider. */
export async function machinePoolCrd(type: string): Promise<Record<string, unknown>> {
  const definition = await loadProvider(type, (specifier) => import(specifier));
  if (!definition.schemas) throw new Error(`provider ${type} publishes no schemas`);
  const { $schema: _draft, ...machineClass } = definition.schemas.machineClass.toJsonSchema() as Record<
    string,
    unknown
  >;
  const count = { type: 'integer', minimum: 0 };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'machinepools.trellis.dev' },
    spec: {
      group: 'trellis.dev',
      names: { kind: 'MachinePool', plural: 'machinepools', singular: 'machinepool', shortNames: ['mp'] },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['provider', 'cluster', 'replicas', 'machineClass'],
                  properties: {
                    provider: { type: 'string', enum: [type] },
                    cluster: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
                    replicas: count,
                    maxSurge: count,
                    maxUnavailable: count,
                    userData: { type: 'string' },
                    machineClass,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(stringify(await machinePoolCrd(process.argv[2] ?? 'local')));
}
