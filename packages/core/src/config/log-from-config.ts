import { consoleSink, fileSink, type LogSink } from "../log/logger.js";
import type { Config } from "./config.js";

/**
 * The log sink the config asks for: `logger_type = file` with `logfile`,
 * `console` on stderr. Without a logfile (common in client.cfg) lines go to
 * stderr. syslog is not available to a Node process without a native
 * module, so it is refused with a ConfigError-style message by the caller.
 */
export function sinkFromConfig(
  config: Config,
  options: { levelOverride?: Config["loglevel"] } = {},
): LogSink {
  const level = options.levelOverride ?? config.loglevel;
  if (config.loggerType === "file" && config.logfile) {
    return fileSink(config.logfile, level, { keeplogs: config.keeplogs, maxLogSize: config.maxLogSize });
  }
  return consoleSink(level, { color: config.color && process.stderr.isTTY === true });
}
