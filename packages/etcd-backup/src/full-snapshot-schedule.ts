import { invalidArgument } from '@trellis/core';
import { Cron } from 'croner';

/** When full snapshots are due: a fixed interval or a cron expression (UTC). */
export class FullSnapshotSchedule {
  readonly #interval: number | undefined;
  readonly #cron: Cron | undefined;

  constructor(schedule: number | string) {
    if (typeof schedule === 'number') {
      if (!Number.isFinite(schedule) || schedule <= 0) {
        throw invalidArgument('invalid full snapshot schedule', [
          {
            path: 'fullSnapshotSchedule',
            message: 'must be a positive number of milliseconds or a cron expression',
          },
        ]);
      }
      this.#interval = schedule;
      return;
    }
    try {
      this.#cron = new Cron(schedule, { timezone: 'UTC', paused: true });
    } catch (error) {
      throw invalidArgument(`invalid cron expression "${schedule}"`, [
        { path: 'fullSnapshotSchedule', message: error instanceof Error ? error.message : String(error) },
      ]);
    }
  }

  /** The first time after `previous` a full snapshot is due. */
  next(previous: Date): Date {
    if (this.#interval !== undefined) return new Date(previous.getTime() + this.#interval);
    return this.#cron?.nextRun(previous) ?? new Date(8.64e15);
  }
}
