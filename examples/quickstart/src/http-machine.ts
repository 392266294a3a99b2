import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the port is released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * User data that turns a local machine into a tiny HTTP server on `port`. `marker` ends up in the
 * process's command line so a caller can prove no process is left behind.
 */
export function httpServerUserData(port: number, marker: string): string {
  const program = [
    `const name = process.env.TRELLIS_MACHINE_NAME;`,
    `require("node:http").createServer((request, response) => response.end("hello from " + name + "\\n"))`,
    `.listen(${port}, "127.0.0.1", () => console.log(name + " listening on ${port}"));`,
  ].join(' ');
  return `exec ${shellQuote(process.execPath)} -e ${shellQuote(program)} ${shellQuote(marker)}\n`;
}

/** GETs the URL until it answers (the machine's process needs a moment to listen). */
export async function getWhenReady(url: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return (await response.text()).trim();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${url} did not answer within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** True when something accepts connections on 127.0.0.1:port. */
export async function isListening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}
