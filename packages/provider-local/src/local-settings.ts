import path from 'node:path';
import { type Logger, parseWithSchema, silentLogger, z } from '@trellis/core';

/** Provider type name of the local provider. */
export const LOCAL_PROVIDER = 'local';

/** Settings of {@link createLocalProvider}. */
export interface LocalProviderSettings {
  /**
   * Directory holding machines, infrastructure resources and locks. Relative paths resolve
   * against `process.cwd()` on first use (not at import or creation time).
   * @default '.trellis/local'
   */
  stateDirectory?: string;
  /** Where operational messages go (a pino logger works). @default silent */
  logger?: Logger;
  /** How long `deleteMachine` waits after SIGTERM before it sends SIGKILL. @default 5000 */
  gracePeriodMs?: number;
  /** How many machine records `listMachines` reads per page. @default 50 */
  listPageSize?: number;
}

/** Settings with defaults applied. */
export interface ResolvedLocalSettings {
  /** Absolute state directory, resolved lazily. */
  readonly stateDirectory: () => string;
  readonly logger: Logger;
  readonly gracePeriodMs: number;
  readonly listPageSize: number;
}

const loggerSchema = z.custom<Logger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    ),
  { message: 'must have debug, info, warn and error methods' },
);

const settingsSchema = z.strictObject({
  stateDirectory: z.string().min(1).optional(),
  logger: loggerSchema.optional(),
  gracePeriodMs: z.number().int().min(0).max(600_000).optional(),
  listPageSize: z.number().int().min(1).max(10_000).optional(),
});

/** Validates the settings (`InvalidArgument` with field paths) and applies defaults. */
export function resolveLocalSettings(settings: unknown = {}): ResolvedLocalSettings {
  const parsed = parseWithSchema(settingsSchema, settings ?? {}, {
    what: 'local provider settings',
    provider: LOCAL_PROVIDER,
  });
  let resolved: string | undefined;
  return {
    stateDirectory: () => {
      resolved ??= path.resolve(process.cwd(), parsed.stateDirectory ?? path.join('.trellis', 'local'));
      return resolved;
    },
    logger: parsed.logger ?? silentLogger,
    gracePeriodMs: parsed.gracePeriodMs ?? 5000,
    listPageSize: parsed.listPageSize ?? 50,
  };
}
