import type { ApplicationInvocation } from "@phobos/client";
import type { PluginSettings } from "@phobos/core";
import { openClientRegistry } from "@phobos/discovery-registry";
import type { NodeUpdate, RegistryStore } from "@phobos/registry";
import { inventoryUpdate } from "./inventory-update.js";

async function recordAll(store: RegistryStore, updates: readonly NodeUpdate[]): Promise<void> {
  for (const update of updates) {
    // The write queue is bounded: a fleet larger than it is written in several batches.
    if (store.record(update) === "dropped") {
      await store.flush();
      store.record(update);
    }
  }
  await store.flush();
}

/**
 * `mco registry refresh`: `rpcutil inventory` on the discovered nodes, each
 * answer recorded with source `inventory`, so nodes whose registration
 * carries only their agents (Ruby's agentlist) get facts and classes for
 * registry discovery. The database is opened first: an unreachable one
 * fails before anything is sent.
 */
export async function refreshRegistry(inv: ApplicationInvocation, settings: PluginSettings): Promise<number> {
  const store = await openClientRegistry(settings, inv.log, { write: true });
  try {
    const util = await inv.rpcClient("rpcutil");
    const updates: NodeUpdate[] = [];
    const failed: string[] = [];
    await util.call("inventory", {}, (result) => {
      const update =
        result.statuscode === 0 ? inventoryUpdate(result.sender, result.data, new Date()) : undefined;
      if (update) updates.push(update);
      else failed.push(`${result.sender}: ${result.statusmsg}`);
    });
    await recordAll(store, updates);
    if (inv.options.outputFormat === "json") {
      inv.stdout.write(
        `${JSON.stringify({ recorded: updates.map((u) => u.identity), failed, noresponsefrom: util.stats.noresponsefrom }, null, 2)}\n`,
      );
    } else {
      for (const line of failed) inv.stderr.write(`Not recorded, the inventory failed on ${line}\n`);
      inv.stdout.write(
        `Recorded the inventory of ${updates.length} node${updates.length === 1 ? "" : "s"} in ${store.describe()}\n`,
      );
      inv.printrpcstats(util.stats);
    }
    return inv.haltCode(util.stats);
  } finally {
    await store.close();
  }
}
