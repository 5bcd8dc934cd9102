import { basename } from "node:path";
import { consoleSink, fileSink, type LogSink } from "../log/logger.js";
import { syslogSink } from "../log/syslog-sink.js";
import type { Config } from "./config.js";

/**
 * The log sink the config asks for: `logger_type = file` with `logfile`,
 * `console` on stderr, `syslog` at `logfacility` (on `plugin.syslog.socket`,
 * /dev/log unless set). Without a logfile (common in client.cfg) file
 * lines go to stderr.
 */
export function sinkFromConfig(
  config: Config,
  options: { levelOverride?: Config["loglevel"] } = {},
): LogSink {
  const level = options.levelOverride ?? config.loglevel;
  if (config.loggerType === "syslog") {
    return syslogSink(level, {
      facility: config.logfacility.toLowerCase(),
      // Ruby's Syslog.open(File.basename($0)): `mcollectived`, `mco`.
      ident: basename(process.argv[1] ?? "phobos"),
      socket: config.pluginConf.get("syslog.socket"),
    });
  }
  if (config.loggerType === "file" && config.logfile) {
    return fileSink(config.logfile, level, { keeplogs: config.keeplogs, maxLogSize: config.maxLogSize });
  }
  return consoleSink(level, { color: config.color && process.stderr.isTTY === true });
}
