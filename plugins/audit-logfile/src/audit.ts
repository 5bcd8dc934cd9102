import { appendFile } from "node:fs/promises";
import { type Audit, type AuditRecord, ConfigError, defineAudit, type PluginContext } from "@phobos/core";
import { jsonLine, logfileLine } from "./audit-line.js";

/** Ruby MCollective's default (`plugin.rpcaudit.logfile` unset). */
export const DEFAULT_AUDIT_LOG = "/var/log/puppetlabs/mcollective/mcollective-audit.log";

/**
 * MCollective's logfile audit (`rpcaudit = 1`, `rpcauditprovider =
 * logfile`): one line per SimpleRPC request appended to
 * `plugin.rpcaudit.logfile`, opened for each line as Ruby did, so log
 * rotation needs no signal. `plugin.rpcaudit.format = json` writes JSON lines
 * instead (Phobos only). Lines are written in the order requests were
 * audited.
 */
function createLogfileAudit(ctx: PluginContext): Audit {
  const file = ctx.settings.string("rpcaudit.logfile", DEFAULT_AUDIT_LOG).trim();
  const format = ctx.settings.string("rpcaudit.format", "logfile").trim();
  if (format !== "logfile" && format !== "text" && format !== "json") {
    throw new ConfigError(`'${format}' is not an audit format: use logfile (MCollective's lines) or json`, {
      ...ctx.settings.where("rpcaudit.format"),
      key: ctx.settings.fullKey("rpcaudit.format"),
    });
  }
  const line = format === "json" ? jsonLine : logfileLine;
  let queue: Promise<void> = Promise.resolve();
  return {
    audit(record: AuditRecord): Promise<void> {
      const text = line(record);
      const write = queue.then(() => appendFile(file, text, { mode: 0o640 }));
      queue = write.catch(() => undefined);
      return write;
    },
  };
}

export default defineAudit({
  name: "logfile",
  description: "One line per request in plugin.rpcaudit.logfile, as MCollective writes it (or JSON lines)",
  settingsPrefixes: ["rpcaudit."],
  create: createLogfileAudit,
});
