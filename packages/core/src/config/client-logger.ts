import { consoleSink, createLogger, type Logger, type LogSink } from "../log/logger.js";
import type { Config } from "./config.js";
import { sinkFromConfig } from "./log-from-config.js";

const silent: LogSink = { level: "fatal", write() {} };

/**
 * A client's log (mco's, openClient's), from `logger_type`/`loglevel`:
 * console lines on stderr, the log file, or syslog (as Ruby's mco did).
 * MCollective's client logs nowhere when `logger_type = file` names no
 * `logfile` (its default), so neither does a Phobos client.
 */
export function clientLogger(config: Config): Logger {
  if (config.loggerType === "console") return createLogger(consoleSink(config.loglevel, { color: false }));
  if (config.loggerType === "syslog") return createLogger(sinkFromConfig(config));
  if (config.loggerType === "file" && config.logfile) return createLogger(sinkFromConfig(config));
  return createLogger(silent);
}
