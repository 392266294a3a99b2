// An HTTP proxy in front of the EC2 fake that enforces EC2's request token buckets the way EC2
// does: a call finding its bucket empty is answered `RequestLimitExceeded` (HTTP 503) at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2_DEFAULT_RATE_LIMITS } from '@trellis/provider-aws';
import { TokenBucket } from '@trellis/provider-kit';

export interface ThrottlingProxy {
  url: string;
  throttled: number;
  close(): Promise<void>;
}

export async function startThrottlingProxy(target: string): Promise<ThrottlingProxy> {
  const buckets = {
    describe: new TokenBucket(EC2_DEFAULT_RATE_LIMITS.describe),
    mutating: new TokenBucket(EC2_DEFAULT_RATE_LIMITS.mutating),
    runInstances: new TokenBucket(EC2_DEFAULT_RATE_LIMITS.runInstances),
  };
  const proxy: ThrottlingProxy = { url: '', throttled: 0, close: async () => {} };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const allowed = /^(Describe|Get|List)/.test(action)
      ? buckets.describe.tryTake(1)
      : action === 'RunInstances'
        ? buckets.mutating.available >= 1 &&
          buckets.runInstances.available >= Number(params.get('MaxCount') ?? 1)
          ? buckets.mutating.tryTake(1) && buckets.runInstances.tryTake(Number(params.get('MaxCount') ?? 1))
          : false
        : buckets.mutating.tryTake(1);
    if (!allowed) {
      proxy.throttled++;
      response.writeHead(503, { 'content-type': 'text/xml' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>' +
          '<Message>Request limit exceeded.</Message></Error></Errors><RequestID>proxy</RequestID></Response>',
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && key !== 'host' && key !== 'content-length') headers[key] = value;
    }
    const answer = await fetch(`${target}${request.url ?? '/'}`, { method: request.method, headers, body });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}
