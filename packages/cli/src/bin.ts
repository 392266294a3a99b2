#!/usr/bin/env node
import { run } from './program.js';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ncanceling (press Ctrl-C again to quit at once)\n');
  controller.abort();
});

const code = await run(process.argv.slice(2), { signal: controller.signal });
process.exitCode = code;
// Leave when the work is done even if a provider left a handle open.
setTimeout(() => process.exit(code), 200).unref();
