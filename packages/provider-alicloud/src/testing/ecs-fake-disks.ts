import type { AcsCall } from './acs-request.js';
import type { FakeEcsInstance } from './ecs-fake-instances.js';
import { fakeId, numberedPage, required } from './fake-resource-table.js';

/** A cloud disk as the fake keeps it. */
export interface FakeDisk {
  readonly DiskId: string;
  readonly DiskName: string;
  readonly Type: 'system' | 'data';
  readonly Category: string;
  readonly Size: number;
  readonly RegionId: string;
  readonly ZoneId: string;
  /** The instance it is attached to; empty once detached. */
  InstanceId: string;
  /** `In_use` while attached, `Available` after. */
  Status: 'In_use' | 'Available';
  readonly DeleteWithInstance: boolean;
}

/**
 * The disks of the fake's instances: a system disk and the data disks of each `RunInstances`
 * (`DataDisk.N.DeleteWithInstance`, default true). When an instance is deleted, the disks that go
 * with it go; the others stay, detached and `Available` (what ECS does, and what leaks when nobody
 * looks). DescribeDisks answers them with `PageNumber`/`PageSize`.
 */
export class FakeDisks {
  readonly #disks = new Map<string, FakeDisk>();

  all(): FakeDisk[] {
    return [...this.#disks.values()];
  }

  /** The disks a new instance gets. */
  attach(instance: FakeEcsInstance, params: Readonly<Record<string, string>>): void {
    const add = (disk: Omit<FakeDisk, 'DiskId' | 'RegionId' | 'ZoneId' | 'InstanceId' | 'Status'>) => {
      const made: FakeDisk = {
        ...disk,
        DiskId: fakeId('d'),
        RegionId: instance.RegionId,
        ZoneId: instance.ZoneId,
        InstanceId: instance.InstanceId,
        Status: 'In_use',
      };
      this.#disks.set(made.DiskId, made);
    };
    add({
      DiskName: `${instance.InstanceName}-system`,
      Type: 'system',
      Category: params['SystemDisk.Category'] ?? 'cloud_efficiency',
      Size: Number(params['SystemDisk.Size'] ?? 40),
      DeleteWithInstance: true,
    });
    for (const disk of instance.DataDisks) {
      add({
        DiskName: disk.DiskName ?? '',
        Type: 'data',
        Category: disk.Category ?? 'cloud_efficiency',
        Size: Number(disk.Size ?? 20),
        DeleteWithInstance: disk.DeleteWithInstance !== 'false',
      });
    }
  }

  /** The instance is gone: its disks go with it, or stay detached. */
  release(instanceId: string): void {
    for (const disk of this.#disks.values()) {
      if (disk.InstanceId !== instanceId) continue;
      if (disk.DeleteWithInstance) this.#disks.delete(disk.DiskId);
      else {
        disk.InstanceId = '';
        disk.Status = 'Available';
      }
    }
  }

  /** DescribeDisks: by `InstanceId`, `DiskIds` (a JSON array), `Status`, a page of them. */
  describe({ params }: AcsCall): Record<string, unknown> {
    required(params, 'RegionId');
    let found = this.all().filter((disk) => disk.RegionId === params.RegionId);
    if (params.InstanceId !== undefined)
      found = found.filter((disk) => disk.InstanceId === params.InstanceId);
    if (params.Status !== undefined) found = found.filter((disk) => disk.Status === params.Status);
    if (params.DiskIds !== undefined) {
      const wanted = new Set(JSON.parse(params.DiskIds) as string[]);
      found = found.filter((disk) => wanted.has(disk.DiskId));
    }
    const { items, ...page } = numberedPage(found, params, 100);
    return { ...page, Disks: { Disk: items } };
  }
}
