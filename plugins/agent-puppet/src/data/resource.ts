import { type DataValue, defineData } from "@phobos/core";
import { sharedManager } from "../manager.js";

const scalar = (value: unknown, fallback: DataValue): DataValue =>
  value === null || value === undefined
    ? fallback
    : typeof value === "number" || typeof value === "string" || typeof value === "boolean"
      ? value
      : String(value);

/** `resource('file[/srv/www]').managed`, `resource().failed_resources > 0`: the last run, for filters. */
export default defineData({
  name: "resource",
  description: "Information about Puppet managed resources",
  // The agent's plugin.puppet.* settings say where Puppet's files are.
  settingsPrefixes: ["puppet."],
  create: (ctx) => {
    const mgr = sharedManager({ string: (key) => ctx.settings.string(`puppet.${key}`) });
    return {
      async query(argument) {
        const summary = await mgr.loadSummary();
        const r = summary.resources ?? {};
        const t = summary.time ?? {};
        const lastrun = Math.trunc(Number(t.last_run ?? 0)) || 0;
        const result: Record<string, DataValue> = {
          out_of_sync_resources: scalar(r.out_of_sync, 0),
          failed_resources: scalar(r.failed, 0),
          corrected_resources: scalar(r.corrective_change, 0),
          changed_resources: scalar(r.changed, 0),
          total_resources: scalar(r.total, 0),
          total_time: scalar(t.total, 0),
          config_retrieval_time: scalar(t.config_retrieval, 0),
          lastrun,
          since_lastrun: Math.floor(Date.now() / 1000) - lastrun,
          config_version: scalar(summary.version?.config, "unknown"),
        };
        if (typeof argument === "string" && argument !== "")
          result.managed = await mgr.managingResource(argument);
        return result;
      },
    };
  },
});
