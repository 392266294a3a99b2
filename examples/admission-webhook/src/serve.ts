// The webhook server as a pod runs it: certificate and key from the mounted Secret, the port from
// the environment, logs as JSON lines, a clean stop on SIGTERM.
import { startAdmissionServer } from '@trellis/admission';

const tls = process.env.TLS_DIR ?? '/etc/trellis-admission/tls';
const log = (level: string) => (fields: Record<string, unknown>, message?: string) =>
  console.log(JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }));
const server = await startAdmissionServer({
  certFile: `${tls}/tls.crt`,
  keyFile: `${tls}/tls.key`,
  port: Number(process.env.PORT ?? 8443),
  logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
});
log('info')({ url: server.url }, 'trellis admission webhook listening');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
