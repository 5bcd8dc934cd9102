/**
 * Where the broker logs. `@phobos/core`'s Logger fits, so mcollectived can
 * hand the broker a tagged child of its own logger.
 */
export interface BrokerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ignore = (): void => {};

/** The default: an embedded broker says nothing unless its host asks. */
export const quietLogger: BrokerLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
