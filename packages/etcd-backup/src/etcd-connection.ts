import { Etcd3, type IOptions } from 'etcd3';
import { etcdError } from './errors.js';

/** How to reach etcd. */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Extra etcd3 client options (credentials, TLS). Never logged. */
  clientOptions?: Omit<IOptions, 'hosts'>;
}

/** Creates an etcd3 client for the endpoints. */
export function createEtcdClient(options: EtcdConnectionOptions): Etcd3 {
  return new Etcd3({ ...options.clientOptions, hosts: options.endpoints });
}

/** The store's current revision (the revision of its newest change). */
export async function currentRevision(client: Etcd3): Promise<number> {
  try {
    const response = await client.kv.range({ key: Buffer.from([0]), limit: 1, count_only: true });
    return Number(response.header.revision);
  } catch (error) {
    throw etcdError('range', error);
  }
}
