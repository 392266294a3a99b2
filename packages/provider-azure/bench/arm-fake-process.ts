// The ARM fake with rate limits in a child process of a benchmark: sends `{ url, ca }`, answers
// 'calls' with the call log's entries, clears it on 'reset'.
import { startArmFake } from '@trellis/provider-azure/testing';

const fake = await startArmFake({
  operationPolls: 1,
  rateLimits: JSON.parse(process.argv[2]!),
  autoResourceGroups: 'westeurope',
});
process.on('message', (message) => {
  if (message === 'reset') fake.calls.reset();
  if (message === 'calls')
    process.send!(fake.calls.entries.map(({ action, fault }) => ({ action, ...(fault ? { fault } : {}) })));
});
process.send!({ url: fake.url, ca: fake.ca });
