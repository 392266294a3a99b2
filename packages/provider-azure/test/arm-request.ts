import { request } from 'node:https';
import type { ArmFake } from '../src/testing/index.js';

/** One raw HTTPS call to the ARM fake (for what the SDKs have no call for, or to read headers). */
export function armRequest(
  fake: ArmFake,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const call = request(
      `${fake.url}${path}`,
      { method, ca: fake.ca, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    call.on('error', reject);
    call.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
