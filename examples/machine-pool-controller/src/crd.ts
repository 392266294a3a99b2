// Prints the MachinePool CustomResourceDefinition for a provider (`node src/crd.ts local`): its
// `spec.machineClass` schema is the provider's machine class JSON Schema.
import { machinePoolCustomResourceDefinition } from '@trellis/controller';
import { loadProvider } from '@trellis/core';
import { stringify } from 'yaml';

/** The CRD of `trellis.dev/v1alpha1` `MachinePool` with the machine class schema of a provider. */
export async function machinePoolCrd(type: string): Promise<Record<string, unknown>> {
  const definition = await loadProvider(type, (specifier) => import(specifier));
  if (!definition.schemas) throw new Error(`provider ${type} publishes no schemas`);
  return machinePoolCustomResourceDefinition({
    [type]: definition.schemas.machineClass.toJsonSchema() as Record<string, unknown>,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // No YAML anchors: every tool that reads manifests understands the plain form.
  process.stdout.write(
    stringify(await machinePoolCrd(process.argv[2] ?? 'local'), { aliasDuplicateObjects: false }),
  );
}
