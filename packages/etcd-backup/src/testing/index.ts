/**
 * `@trellis/etcd-backup/testing`: what a backup store's own tests use to prove it works with etcd
 * backups end to end (a real `etcd` on loopback; Debian's `etcd-server` package).
 *
 * @packageDocumentation
 */

export {
  type EtcdContents,
  etcdEntries,
  readEtcdContents,
  readRestoredEtcdContents,
} from './etcd-contents.js';
export { checkEtcdRoundTrip, type EtcdRoundTripResult, etcdAvailable } from './etcd-round-trip.js';
