import ora from 'ora';

/** Progress of one long operation. Silent unless enabled. */
export interface Progress {
  /** Changes the text shown. */
  update(text: string): void;
  /** Ends with a success mark. */
  succeed(text?: string): void;
  /** Ends with a failure mark. */
  fail(text?: string): void;
}

/**
 * A spinner on `stream` while an operation runs, or a silent no-op when `enabled` is false
 * (stdout is not a terminal, or the output is JSON).
 */
export function startProgress(text: string, options: { enabled: boolean; stream: NodeJS.WritableStream }) {
  const spinner = ora({
    text,
    stream: options.stream,
    isSilent: !options.enabled,
    discardStdin: false,
    hideCursor: options.enabled,
  }).start();
  const progress: Progress = {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => {
      spinner.succeed(done);
    },
    fail: (failed) => {
      spinner.fail(failed);
    },
  };
  return progress;
}
