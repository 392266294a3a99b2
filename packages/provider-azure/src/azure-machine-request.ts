import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { VirtualMachine } from '@azure/arm-compute';
import type { NetworkInterface } from '@azure/arm-network';
import type { AzureImageReference, AzureMachineClass } from './azure-machine-class.js';
import { azureNames, resourceId } from './azure-machine-names.js';

/** The image reference ARM takes: an id, a gallery id, or publisher/offer/sku/version from a URN. */
export function imageReferenceOf(image: AzureImageReference) {
  if (image.id) return { id: image.id };
  if (image.communityGalleryImageID) return { communityGalleryImageId: image.communityGalleryImageID };
  if (image.sharedGalleryImageID) return { sharedGalleryImageId: image.sharedGalleryImageID };
  const [publisher, offer, sku, version] = (image.urn ?? '').split(':');
  return { publisher, offer, sku, version };
}

/** MCM's NIC: IP forwarding on, one dynamic IP configuration named after the NIC in the class's subnet. */
export function nicBody(
  subscription: string,
  group: string,
  name: string,
  spec: AzureMachineClass,
  tags: Record<string, string>,
): NetworkInterface {
  const { subnetInfo } = spec;
  const subnetId = `${resourceId(
    subscription,
    subnetInfo.vnetResourceGroup ?? group,
    'Microsoft.Network/virtualNetworks',
    subnetInfo.vnetName,
  )}/subnets/${subnetInfo.subnetName}`;
  const nic = azureNames.nic(name);
  return {
    location: spec.location,
    tags,
    enableIPForwarding: true,
    enableAcceleratedNetworking: spec.properties.networkProfile?.acceleratedNetworking ?? false,
    nicType: 'Standard',
    ipConfigurations: [
      { name: nic, subnet: { id: subnetId }, privateIPAllocationMethod: 'Dynamic', primary: true },
    ],
  } as NetworkInterface;
}

let throwAway: Promise<string> | undefined;

/**
 * A throw-away SSH key for a class without one (as MCM makes: the VM needs one, nobody logs in with
 * it, its private half is dropped). Made once per process, off the event loop: a synchronous RSA
 * key per create blocked the loop for ~150 ms each, which delayed every other call of the process.
 */
export function throwAwayKey(): Promise<string> {
  throwAway ??= promisify(generateKeyPair)('rsa', { modulusLength: 3072 }).then(({ publicKey }) =>
    sshRsaPublicKey(publicKey.export({ format: 'jwk' })),
  );
  return throwAway;
}

/** An RSA public key in OpenSSH's `ssh-rsa` form. */
function sshRsaPublicKey(jwk: { e?: string; n?: string }): string {
  const mpint = (base64url: string) => {
    const bytes = Buffer.from(base64url, 'base64url');
    return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  };
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString('base64')}`;
}

/** The VM of MCM's `createVMCreationParams`: NIC, OS and data disks all `deleteOption: Delete`. */
export function vmBody(options: {
  subscription: string;
  group: string;
  name: string;
  spec: AzureMachineClass;
  tags: Record<string, string>;
  userData?: string | undefined;
  imageDisks: ReadonlySet<number>;
  /** The SSH key when the class has none. */
  fallbackKey: string;
}): VirtualMachine {
  const { subscription, group, name, spec, tags, userData, imageDisks } = options;
  const { properties } = spec;
  const { storageProfile, osProfile } = properties;
  const ssh = osProfile.linuxConfiguration?.ssh?.publicKeys;
  const keyData = ssh?.keyData || options.fallbackKey;
  return {
    location: spec.location,
    tags,
    ...(properties.zone === undefined ? {} : { zones: [String(properties.zone)] }),
    ...(properties.identityID
      ? { identity: { type: 'UserAssigned', userAssignedIdentities: { [properties.identityID]: {} } } }
      : {}),
    hardwareProfile: { vmSize: properties.hardwareProfile.vmSize },
    storageProfile: {
      imageReference: imageReferenceOf(storageProfile.imageReference),
      ...(storageProfile.diskControllerType ? { diskControllerType: storageProfile.diskControllerType } : {}),
      osDisk: {
        name: azureNames.osDisk(name),
        caching: storageProfile.osDisk.caching ?? 'None',
        createOption: storageProfile.osDisk.createOption,
        diskSizeGB: storageProfile.osDisk.diskSizeGB,
        deleteOption: 'Delete',
        managedDisk: {
          ...(storageProfile.osDisk.managedDisk?.storageAccountType
            ? { storageAccountType: storageProfile.osDisk.managedDisk.storageAccountType }
            : {}),
          ...(storageProfile.osDisk.managedDisk?.securityProfile
            ? { securityProfile: storageProfile.osDisk.managedDisk.securityProfile }
            : {}),
        },
      },
      dataDisks: (storageProfile.dataDisks ?? []).map((disk) => {
        const diskName = azureNames.dataDisk(name, disk.lun, disk.name);
        return {
          lun: disk.lun,
          name: diskName,
          caching: disk.caching ?? 'None',
          diskSizeGB: disk.diskSizeGB,
          deleteOption: 'Delete',
          ...(imageDisks.has(disk.lun)
            ? {
                createOption: 'Attach',
                managedDisk: { id: resourceId(subscription, group, 'Microsoft.Compute/disks', diskName) },
              }
            : { createOption: 'Empty', managedDisk: { storageAccountType: disk.storageAccountType } }),
        };
      }),
    },
    osProfile: {
      computerName: name,
      adminUsername: osProfile.adminUsername,
      ...(userData ? { customData: Buffer.from(userData).toString('base64') } : {}),
      linuxConfiguration: {
        disablePasswordAuthentication: osProfile.linuxConfiguration?.disablePasswordAuthentication ?? true,
        ssh: {
          publicKeys: [
            { path: ssh?.path ?? `/home/${osProfile.adminUsername}/.ssh/authorized_keys`, keyData },
          ],
        },
      },
    },
    networkProfile: {
      networkInterfaces: [
        {
          id: resourceId(subscription, group, 'Microsoft.Network/networkInterfaces', azureNames.nic(name)),
          primary: true,
          deleteOption: 'Delete',
        },
      ],
    },
    ...(properties.availabilitySet ? { availabilitySet: { id: properties.availabilitySet.id } } : {}),
    ...(properties.virtualMachineScaleSet
      ? { virtualMachineScaleSet: { id: properties.virtualMachineScaleSet.id } }
      : {}),
    ...(properties.diagnosticsProfile
      ? {
          diagnosticsProfile: {
            bootDiagnostics: {
              enabled: properties.diagnosticsProfile.enabled,
              ...(properties.diagnosticsProfile.storageURI
                ? { storageUri: properties.diagnosticsProfile.storageURI }
                : {}),
            },
          },
        }
      : {}),
    ...(properties.securityProfile ? { securityProfile: properties.securityProfile } : {}),
    ...(properties.capacityReservation
      ? {
          capacityReservation: {
            capacityReservationGroup: { id: properties.capacityReservation.capacityReservationGroupID },
          },
        }
      : {}),
    ...(properties.priority ? { priority: properties.priority } : {}),
    ...(properties.priority === 'Spot'
      ? {
          evictionPolicy: properties.evictionPolicy ?? 'Delete',
          billingProfile: { maxPrice: properties.billingProfile?.maxPrice ?? -1 },
        }
      : {}),
  } as VirtualMachine;
}
