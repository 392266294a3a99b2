import { Etcd3, type IOptions } from 'etcd3';
import { etcdError } from './errors.js';

/** How to reach etcd. */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Extra etcd3 client options (credentials, TLS). Never logged. */
  clientOptions?: Omit<IOptions, 'hosts'>;
}

/**
 * HTTP/2 flow-control window of the client's connections. With grpc-js' default 64 KiB, etcd
 * waits for a window update every two 32 KiB snapshot messages: a 208 MiB full snapshot took
 * 3.6-4.2 s here, 3.4-3.7 s with 1 MiB, 3.3 s with 4 MiB — but 4 MiB raised its peak RSS by
 * 6-9 MiB (20-28 MiB under `--max-semi-space-size=1`), 1 MiB by 1-5 MiB. etcd never sends more
 * than this ahead of what is read.
 */
const FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

/** Creates an etcd3 client for the endpoints. */
export function createEtcdClient(options: EtcdConnectionOptions): Etcd3 {
  const clientOptions = options.clientOptions ?? {};
  return new Etcd3({
    ...clientOptions,
    grpcOptions: { 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES, ...clientOptions.grpcOptions },
    hosts: options.endpoints,
  });
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
