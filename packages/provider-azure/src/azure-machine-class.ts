import { type ConfigSchema, defineConfigSchema, invalidArgument, z } from '@trellis/core';
import { AZURE_CLUSTER_TAG_PREFIX } from '@trellis/provider-kit';

const required = z.string().trim().min(1, 'is required');

/** An image: exactly one of an ARM image id, a marketplace URN, a community or a shared gallery image id. */
const imageReferenceSchema = z.strictObject({
  /** `/subscriptions/.../images/<name>` or a gallery image version id. */
  id: z.string().min(1).optional(),
  /** `publisher:offer:sku:version`. */
  urn: z
    .string()
    .refine(
      (urn) => urn.split(':').length === 4 && urn.split(':').every(Boolean),
      'must be publisher:offer:sku:version',
    )
    .optional(),
  communityGalleryImageID: z.string().min(1).optional(),
  sharedGalleryImageID: z.string().min(1).optional(),
  /** Do not check the marketplace agreement of a URN image. @default false */
  skipMarketplaceAgreement: z.boolean().optional(),
});
export type AzureImageReference = z.output<typeof imageReferenceSchema>;

const storageAccountType = z.enum([
  'Standard_LRS',
  'Premium_LRS',
  'StandardSSD_LRS',
  'UltraSSD_LRS',
  'Premium_ZRS',
  'StandardSSD_ZRS',
  'PremiumV2_LRS',
]);
const caching = z.enum(['None', 'ReadOnly', 'ReadWrite']);

const dataDiskSchema = z.strictObject({
  /** Logical unit number, unique among the data disks. */
  lun: z.number().int().min(0, 'must be at least 0').max(63),
  /** Part of the disk name `<machine>-<name>-<lun>-data-disk`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, _ . -')
    .optional(),
  diskSizeGB: z.number().int().positive('must be greater than 0'),
  storageAccountType,
  /** @default 'None' */
  caching: caching.optional(),
  /** A disk made from an image first, then attached. */
  imageRef: imageReferenceSchema.optional(),
});

/** The zod schema of the Azure machine class (machine-controller-manager's Azure `ProviderSpec`). */
export const azureMachineClassShape = z.strictObject({
  location: required,
  /**
   * The resource group of the VM, its NIC and disks. @default the provider's group of the cluster
   * (`settings.resourceGroup`, else the cluster's name), which get, list and delete look in
   */
  resourceGroup: z.string().min(1).optional(),
  subnetInfo: z.strictObject({
    vnetName: required,
    subnetName: required,
    /** @default the machine's resource group */
    vnetResourceGroup: z.string().min(1).optional(),
  }),
  /** VM and NIC tags; must hold `kubernetes.io-cluster-<cluster>` and `kubernetes.io-role-<role>` keys. */
  tags: z.record(z.string(), z.string()),
  cloudConfiguration: z
    .strictObject({ name: z.enum(['AzurePublic', 'AzureChina', 'AzureGovernment']) })
    .optional(),
  properties: z.strictObject({
    hardwareProfile: z.strictObject({ vmSize: required }),
    storageProfile: z.strictObject({
      imageReference: imageReferenceSchema,
      diskControllerType: z.enum(['SCSI', 'NVMe']).optional(),
      osDisk: z.strictObject({
        /** @default 'None' */
        caching: caching.optional(),
        diskSizeGB: z.number().int().positive('must be greater than 0'),
        createOption: required,
        managedDisk: z
          .strictObject({
            storageAccountType: storageAccountType.optional(),
            securityProfile: z
              .strictObject({
                securityEncryptionType: z
                  .enum(['VMGuestStateOnly', 'DiskWithVMGuestState', 'NonPersistedTPM'])
                  .optional(),
              })
              .optional(),
          })
          .optional(),
      }),
      dataDisks: z.array(dataDiskSchema).optional(),
    }),
    osProfile: z.strictObject({
      adminUsername: required,
      linuxConfiguration: z
        .strictObject({
          disablePasswordAuthentication: z.boolean().optional(),
          /** The public key; without `keyData` a throw-away key is made (as MCM does). */
          ssh: z
            .strictObject({
              publicKeys: z.strictObject({ path: z.string().min(1), keyData: z.string().optional() }),
            })
            .optional(),
        })
        .optional(),
    }),
    networkProfile: z.strictObject({ acceleratedNetworking: z.boolean().optional() }).optional(),
    /** The availability zone (1, 2, 3). Exactly one of zone, availabilitySet, virtualMachineScaleSet. */
    zone: z.number().int().min(1).max(3).optional(),
    availabilitySet: z.strictObject({ id: z.string().min(1) }).optional(),
    /** A VMSS Flex the VM joins. */
    virtualMachineScaleSet: z.strictObject({ id: z.string().min(1) }).optional(),
    /** A user-assigned identity's ARM id. */
    identityID: z.string().min(1).optional(),
    diagnosticsProfile: z.strictObject({ enabled: z.boolean(), storageURI: z.url().optional() }).optional(),
    securityProfile: z
      .strictObject({
        securityType: z.enum(['TrustedLaunch', 'ConfidentialVM']).optional(),
        uefiSettings: z
          .strictObject({ vtpmEnabled: z.boolean().optional(), secureBootEnabled: z.boolean().optional() })
          .optional(),
      })
      .optional(),
    capacityReservation: z.strictObject({ capacityReservationGroupID: z.string().min(1) }).optional(),
    /** `Spot` for a spot VM. @default 'Regular' */
    priority: z.enum(['Regular', 'Spot', 'Low']).optional(),
    /** What Azure does to an evicted spot VM. @default 'Delete' */
    evictionPolicy: z.enum(['Delete', 'Deallocate']).optional(),
    /** A spot VM's maximum price in USD per hour; -1: up to the on-demand price. @default -1 */
    billingProfile: z
      .strictObject({
        maxPrice: z.number().refine((price) => price === -1 || price > 0, 'must be -1 or positive'),
      })
      .optional(),
  }),
});

/** The Azure machine class, as written by a user. */
export type AzureMachineClass = z.output<typeof azureMachineClassShape>;

const CAPACITY_GROUP =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/capacityReservationGroups\/[^/]+$/i;

/** MCM's cross-field rules, each problem with its path. */
function checkAzureMachineClass(
  spec: AzureMachineClass,
  add: (path: Array<string | number>, message: string) => void,
): void {
  const keys = Object.keys(spec.tags);
  if (!keys.some((key) => key.startsWith(AZURE_CLUSTER_TAG_PREFIX))) {
    add(['tags'], `must contain a key with prefix ${AZURE_CLUSTER_TAG_PREFIX}`);
  }
  if (!keys.some((key) => key.startsWith('kubernetes.io-role-')))
    add(['tags'], 'must contain a key with prefix kubernetes.io-role-');
  const checkImage = (image: AzureImageReference, path: Array<string | number>) => {
    const given = [image.id, image.urn, image.communityGalleryImageID, image.sharedGalleryImageID].filter(
      Boolean,
    );
    if (given.length !== 1)
      add(path, 'must set exactly one of id, urn, communityGalleryImageID, sharedGalleryImageID');
  };
  const { storageProfile } = spec.properties;
  checkImage(storageProfile.imageReference, ['properties', 'storageProfile', 'imageReference']);
  const luns = new Set<number>();
  for (const [index, disk] of (storageProfile.dataDisks ?? []).entries()) {
    if (luns.has(disk.lun))
      add(['properties', 'storageProfile', 'dataDisks', index, 'lun'], `lun ${disk.lun} is used twice`);
    luns.add(disk.lun);
    if (disk.imageRef)
      checkImage(disk.imageRef, ['properties', 'storageProfile', 'dataDisks', index, 'imageRef']);
  }
  const {
    zone,
    availabilitySet,
    virtualMachineScaleSet,
    capacityReservation,
    priority,
    evictionPolicy,
    billingProfile,
  } = spec.properties;
  const placements = [
    zone !== undefined,
    availabilitySet !== undefined,
    virtualMachineScaleSet !== undefined,
  ].filter(Boolean);
  if (placements.length !== 1)
    add(['properties', 'zone'], 'set exactly one of zone, availabilitySet, virtualMachineScaleSet');
  if (capacityReservation && !CAPACITY_GROUP.test(capacityReservation.capacityReservationGroupID)) {
    add(
      ['properties', 'capacityReservation', 'capacityReservationGroupID'],
      'must be the ARM id of a capacity reservation group',
    );
  }
  if (priority !== 'Spot' && (evictionPolicy !== undefined || billingProfile !== undefined)) {
    add(
      ['properties', priority === undefined ? 'evictionPolicy' : 'priority'],
      'evictionPolicy and billingProfile need priority: Spot',
    );
  }
}

/** The Azure machine class as a Trellis config schema (its JSON Schema comes from it). */
export const azureMachineClass: ConfigSchema<AzureMachineClass> = defineConfigSchema(
  'Azure machine class',
  azureMachineClassShape.superRefine((spec, context) => {
    checkAzureMachineClass(spec, (path, message) => context.addIssue({ code: 'custom', path, message }));
  }),
  { provider: 'azure' },
);

/** Validates a machine class for the provider's location; `InvalidArgument` with every problem's path. */
export function validateAzureMachineSpec(spec: unknown, location: string): AzureMachineClass {
  const parsed = azureMachineClass.parse(spec);
  if (parsed.location !== location) {
    throw invalidArgument(
      'invalid Azure machine class',
      [{ path: 'location', message: `must be the provider's location ${location} (got ${parsed.location})` }],
      { provider: 'azure', operation: 'validateSpec' },
    );
  }
  return parsed;
}
