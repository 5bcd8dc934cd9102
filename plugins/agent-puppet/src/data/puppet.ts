import { defineData } from "@phobos/core";
import { sharedManager } from "../manager.js";

/** `puppet().enabled`, `puppet().since_lastrun > 1800`: the agent's state for filters. */
export default defineData({
  name: "puppet",
  description: "Information about Puppet agent state",
  create: (ctx) => {
    const mgr = sharedManager(ctx.settings);
    return {
      async query() {
        const s = await mgr.status();
        return {
          applying: s.applying,
          enabled: s.enabled,
          daemon_present: s.daemon_present,
          lastrun: s.lastrun,
          since_lastrun: s.since_lastrun,
          status: s.status,
          disable_message: s.disable_message,
          idling: s.idling,
        };
      },
    };
  },
});
