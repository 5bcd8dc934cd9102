import { consoleSink, createLogger, type Logger, type LogSink } from "../log/logger.js";
import type { Config } from "./config.js";
import { sinkFromConfig } from "./log-from-config.js";

const silent: LogSink = { level: "fatal", write() {} };

/**
 * A client's log (mco's, openClient's), from `logger_type`/`loglevel`:
 * console lines on stderr, or the log file. MCollective's client logs
 * nowhere when `logger_type = file` names no `logfile` (its default) or
 * when it is syslog, so neither does a Phobos client.
 */
export function clientLogger(config: Config): Logger {
  if (config.loggerType === "console") return createLogger(consoleSink(config.loglevel, { color: false }));
  if (config.loggerType === "file" && config.logfile) return createLogger(sinkFromConfig(config));
  return createLogger(silent);
}
