import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeStartOptions } from '@trellis/core';
import type { CallLog } from './call-log.js';
import type { FaultDecision, FaultKind, FaultRule } from './fake-types.js';

interface ActiveRule {
  rule: FaultRule;
  injected: number;
}

/** A small deterministic PRNG (mulberry32), so a seeded run injects the same faults every time. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Decides, per call, which faults a fake injects: throttling, server errors, latency and lost
 * responses, per action and by rate, from a seeded PRNG.
 */
export class FaultInjector {
  readonly #rules: ActiveRule[] = [];
  readonly #random: () => number;

  /** @param options.seed PRNG seed. @default 1 */
  constructor(options: { seed?: number } = {}) {
    this.#random = createRandom(options.seed ?? 1);
  }

  /** Adds a rule; returns a function that removes it again. */
  add(rule: FaultRule): () => void {
    const rate = rule.rate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must lie in 0..1, got ${rule.rate}`);
    const active: ActiveRule = { rule, injected: 0 };
    this.#rules.push(active);
    return () => {
      const index = this.#rules.indexOf(active);
      if (index >= 0) this.#rules.splice(index, 1);
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0;
  }

  /** The rules currently active. */
  get rules(): readonly FaultRule[] {
    return this.#rules.map((active) => active.rule);
  }

  /**
   * The faults to inject into one call of `action`, in rule order: any number of latency faults
   * and at most one failing fault (throttle, server-error or lost-response; the first rule that fires wins).
   * Used by fakes; counts each returned fault against its rule's `times`.
   */
  decide(action: string): FaultDecision[] {
    const decisions: FaultDecision[] = [];
    let failed = false;
    for (const active of [...this.#rules]) {
      const { rule } = active;
      if (rule.actions && !rule.actions.includes(action)) continue;
      if (rule.times !== undefined && active.injected >= rule.times) continue;
      if (rule.kind !== 'latency' && failed) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && this.#random() >= rate) continue;
      active.injected += 1;
      switch (rule.kind) {
        case 'latency':
          decisions.push({ kind: 'latency', latencyMs: rule.latencyMs ?? 100 });
          break;
        case 'throttle':
          decisions.push({ kind: 'throttle', status: 429 });
          failed = true;
          break;
        case 'server-error':
          decisions.push({ kind: 'server-error', status: rule.status ?? 500 });
          failed = true;
          break;
        case 'lost-response':
          decisions.push({ kind: 'lost-response' });
          failed = true;
          break;
      }
    }
    return decisions;
  }

  /**
   * Decides the faults of one call of `action` and waits out its latency faults: resolves the
   * failing fault to inject (if any) and the fault to record (the failing one, else `latency`).
   */
  async inject(action: string): Promise<{ failure?: FaultDecision; fault?: FaultKind }> {
    let fault: FaultKind | undefined;
    let failure: FaultDecision | undefined;
    for (const decision of this.decide(action)) {
      if (decision.kind === 'latency') {
        fault ??= 'latency';
        await sleep(decision.latencyMs ?? 0);
      } else failure ??= decision;
    }
    return { ...(failure ? { failure, fault: failure.kind } : {}), ...(!failure && fault ? { fault } : {}) };
  }
}

/**
 * Adds the faults a tool asked for when it started a fake (`trellis fake <cloud> --faults
 * throttle:0.2 --latency 50`): a latency on every call, then each fault rule.
 */
export function addStartFaults(faults: FaultInjector, options: FakeStartOptions): void {
  if (options.latencyMs) faults.add({ kind: 'latency', latencyMs: options.latencyMs });
  for (const fault of options.faults ?? []) {
    faults.add({
      kind: fault.kind,
      ...(fault.rate === undefined ? {} : { rate: fault.rate }),
      ...(fault.actions ? { actions: [...fault.actions] } : {}),
      ...(fault.latencyMs === undefined ? {} : { latencyMs: fault.latencyMs }),
    });
  }
}

/**
 * Makes a fifth of a fake's calls fail (10% throttled, 5% answered 500, 5% answered 503) and
 * returns a check for the end of the suite: it throws unless at least a tenth of all calls really
 * had a fault, since a suite "under faults" that met none proves nothing.
 */
export function injectFaultShare(fake: {
  readonly faults: FaultInjector;
  readonly calls: CallLog;
}): () => void {
  fake.faults.add({ kind: 'throttle', rate: 0.1 });
  fake.faults.add({ kind: 'server-error', rate: 0.05, status: 500 });
  fake.faults.add({ kind: 'server-error', rate: 0.05, status: 503 });
  return () => {
    const injected = fake.calls.entries.filter((entry) => entry.fault !== undefined).length;
    const total = fake.calls.count();
    if (injected < total * 0.1) throw new Error(`only ${injected} of ${total} calls had a fault injected`);
  };
}
