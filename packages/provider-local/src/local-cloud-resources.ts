import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalidArgument, z } from '@trellis/core';
import { LOCAL_PROVIDER } from './local-settings.js';
import {
  fileSystemError,
  fsyncDirectory,
  isErrorCode,
  listDirectory,
  readJson,
  writeJsonAtomic,
} from './local-state-store.js';

/** One resource of the local "cloud" (a network, subnet or security group), one JSON file each. */
export const localResourceSchema = z.object({
  version: z.literal('v1'),
  id: z.string().regex(/^[a-z]+-[a-z0-9]+$/),
  kind: z.string().min(1),
  /** The cluster that owns it (its ownership tag). */
  cluster: z.string(),
  region: z.string(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/** A resource of the local "cloud". */
export type LocalResource = z.output<typeof localResourceSchema>;

/** The local "cloud": resources persisted under `<stateDirectory>/infrastructure/resources`. */
export class LocalCloudResources {
  readonly #directory: () => string;

  constructor(stateDirectory: () => string) {
    this.#directory = () => path.join(stateDirectory(), 'infrastructure', 'resources');
  }

  #file(id: string): string {
    if (!/^[a-z]+-[a-z0-9]+$/.test(id)) {
      throw invalidArgument(
        'invalid local resource id',
        [{ path: 'state.resources', message: `"${id}" is not a local resource id` }],
        { provider: LOCAL_PROVIDER },
      );
    }
    return path.join(this.#directory(), `${id}.json`);
  }

  /** The resource, or undefined when it does not exist. */
  get(id: string): Promise<LocalResource | undefined> {
    return readJson(this.#file(id), localResourceSchema);
  }

  /** Creates or replaces a resource (atomically). */
  put(resource: LocalResource): Promise<void> {
    return writeJsonAtomic(this.#file(resource.id), resource);
  }

  /** Deletes a resource; succeeds when it is gone already. */
  async delete(id: string): Promise<void> {
    const file = this.#file(id);
    try {
      await fs.unlink(file);
      await fsyncDirectory(path.dirname(file));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT')) throw fileSystemError('delete resource', file, error);
    }
  }

  /** Every resource, any owner, sorted by id. */
  async list(): Promise<LocalResource[]> {
    const ids = (await listDirectory(this.#directory()))
      .filter((entry) => !entry.startsWith('.') && entry.endsWith('.json'))
      .map((entry) => entry.slice(0, -'.json'.length));
    const resources = await Promise.all(ids.map((id) => this.get(id)));
    return resources.filter((resource): resource is LocalResource => resource !== undefined);
  }
}
