import { generate } from 'selfsigned';

/** A certificate for a fake's HTTPS server, and the CA a client must trust to reach it. */
export interface FakeTlsCertificate {
  /** PEM private key of the server. */
  readonly key: string;
  /** PEM certificate of the server (for `127.0.0.1`, `::1` and `localhost`). */
  readonly cert: string;
  /** The PEM a client trusts (`tlsOptions.ca`, `NODE_EXTRA_CA_CERTS`): the self-signed certificate itself. */
  readonly ca: string;
}

/**
 * Makes a fresh self-signed certificate for a loopback fake (valid one day, for 127.0.0.1, ::1 and
 * localhost). Clients trust it through their own CA option; nothing turns TLS checks off.
 */
export async function createFakeTlsCertificate(): Promise<FakeTlsCertificate> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, ca: pems.cert };
}
