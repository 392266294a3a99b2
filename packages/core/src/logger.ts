/**
 * The logging interface Trellis writes to. A pino logger satisfies it as it is;
 * the default is {@link silentLogger}. Trellis never logs credentials.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

const noop = () => {};

/** A logger that drops everything: the default of every provider. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
