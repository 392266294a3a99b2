import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('hands a key out once however often it was added, never to two workers at once, and again if added meanwhile', async () => {
    const queue = new WorkQueue<string>();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    expect(queue.depth).toBe(2);
    const first = await queue.next();
    expect(first).toBe('a');
    queue.add('a'); // while 'a' is processed: it must wait
    expect(await queue.next()).toBe('b');
    expect(queue.depth).toBe(0);
    queue.done('a');
    expect(await queue.next()).toBe('a');
    queue.done('a');
    queue.done('b');
    expect(queue.depth).toBe(0);
  });

  it('backs a failing key off exponentially until it is forgotten, and stops handing out keys on shutdown', async () => {
    const queue = new WorkQueue<string>({ baseDelayMs: 10, maxDelayMs: 50 });
    expect([
      queue.addRateLimited('x'),
      queue.addRateLimited('x'),
      queue.addRateLimited('x'),
      queue.addRateLimited('x'),
    ]).toEqual([10, 20, 40, 50]);
    expect(queue.failures('x')).toBe(4);
    queue.forget('x');
    expect(queue.addRateLimited('x')).toBe(10);
    expect(await queue.next()).toBe('x');
    const waiting = queue.next();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('y');
    expect(await queue.next()).toBeUndefined();
  });
});
