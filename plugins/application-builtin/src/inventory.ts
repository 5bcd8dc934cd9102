import { writeFileSync } from "node:fs";
import {
  type ApplicationInvocation,
  defineApplication,
  ljust,
  rjust,
  rubyCompareStrings,
} from "@phobos/client";
import { hashGet, type RubyValue, rubyToS, toNatural, UsageError } from "@phobos/core";
import { nodeReport } from "./inventory-report.js";
import {
  type InventoryReply,
  inventoryNode,
  isRubyInventoryProgram,
  loadInventoryScript,
  runInventoryScript,
} from "./inventory-script.js";

const get = (raw: unknown, key: string): RubyValue | undefined => hashGet(raw as RubyValue, key);

/** `inventory <node>`: daemon_stats then inventory of one node, as MCollective lays them out. */
async function nodeInventory(inv: ApplicationInvocation, node: string): Promise<number> {
  const util = await inv.rpcClient("rpcutil", { progress: false });
  util.identityFilter(node);
  const stats = (await util.customRequest("daemon_stats", {}, [node], { identity: [node] })).results[0];
  if (!stats) {
    inv.stderr.write(`Did not receive any results from node ${node}\n`);
    return 1;
  }
  if (stats.statuscode !== 0) {
    inv.stderr.write(`Failed to retrieve daemon_stats from ${node}: ${stats.statusmsg}\n`);
    return inv.haltCode(util.stats);
  }
  const { results } = await util.customRequest("inventory", {}, [node], { identity: [node] });
  for (const resp of results) {
    if (resp.statuscode !== 0) {
      inv.stderr.write(`Failed to retrieve inventory for ${node}: ${resp.statusmsg}\n`);
      continue;
    }
    inv.stdout.write(nodeReport(resp.sender, stats.raw, resp.raw));
    break;
  }
  return inv.haltCode(util.stats);
}

/** Every collective and the nodes in it, from `rpcutil collective_info`. */
async function collectives(inv: ApplicationInvocation) {
  const util = await inv.rpcClient("rpcutil", { progress: false });
  const members = new Map<string, string[]>();
  let nodes = 0;
  await util.call("collective_info", {}, (result) => {
    const names = get(result.raw, "collectives");
    if (!Array.isArray(names)) return;
    for (const name of names.map(rubyToS)) members.set(name, [...(members.get(name) ?? []), result.sender]);
    nodes++;
  });
  return { members, nodes };
}

async function collectivesReport(inv: ApplicationInvocation): Promise<number> {
  const { members, nodes } = await collectives(inv);
  const lines = [`   ${ljust("Collective", 30)} Nodes`, `   ${ljust("==========", 30)} =====`];
  for (const [name, nodesIn] of [...members].sort((a, b) => a[1].length - b[1].length))
    lines.push(`   ${ljust(name, 30)} ${nodesIn.length}`);
  lines.push("", `   ${rjust("Total nodes:", 30)} ${nodes}`, "");
  inv.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

async function collectivesMap(inv: ApplicationInvocation, file: string): Promise<number> {
  // Created before asking the network, as MCollective opens it first: a bad path fails fast.
  writeFileSync(file, "");
  inv.stdout.write("Retrieving collective info....\n");
  const { members, nodes } = await collectives(inv);
  const lines = ["graph {"];
  for (const name of [...members.keys()].sort(rubyCompareStrings)) {
    lines.push(`   subgraph "${name}" {`);
    for (const member of members.get(name) ?? []) lines.push(`      "${member}" -- "${name}"`);
    lines.push("   }");
  }
  lines.push("}");
  writeFileSync(file, `${lines.join("\n")}\n`);
  inv.stdout.write(`Graph of ${nodes} nodes has been written to ${file}\n`);
  return 0;
}

async function inventoryReplies(inv: ApplicationInvocation): Promise<InventoryReply[]> {
  const util = await inv.rpcClient("rpcutil", { progress: false });
  const replies: InventoryReply[] = [];
  await util.call("inventory", {}, (result) => {
    replies.push({ identity: result.sender, data: result.raw as RubyValue });
  });
  return replies;
}

async function scriptReport(inv: ApplicationInvocation, file: string): Promise<number> {
  const script = await loadInventoryScript(file);
  if (isRubyInventoryProgram(script)) {
    // The evaluator runs synchronously, so the replies are gathered first; the output is the same.
    const replies = script.asksNodes ? await inventoryReplies(inv) : [];
    script.run(replies, (text) => inv.stdout.write(text));
    return 0;
  }
  const util = await inv.rpcClient("rpcutil", { progress: false });
  await util.call("inventory", {}, (result) => {
    const reply = { identity: result.sender, data: result.raw as RubyValue };
    const data = toNatural(reply.data) as Record<string, unknown>;
    inv.stdout.write(`${runInventoryScript(script, inventoryNode(reply, data))}\n`);
  });
  return 0;
}

/**
 * `mco inventory`: one node's daemon statistics, agents, data plugins,
 * classes and facts; or every collective (`--list-collectives`), a DOT
 * graph of them (`--collective-graph FILE`), or a report over all nodes
 * from a script (`--script FILE`, see the README).
 */
export default defineApplication({
  name: "inventory",
  description: "General reporting tool for nodes, collectives and subcollectives",
  create: () => ({
    options: [
      { name: "script", description: "Script to run", arguments: ["--script SCRIPT"] },
      {
        name: "collectives",
        description: "List all known collectives",
        arguments: ["--list-collectives", "--lc"],
        default: false,
        type: "bool",
      },
      {
        name: "collectivemap",
        description: "Create a DOT graph of all collectives",
        arguments: ["--collective-graph MAP", "--cg MAP", "--map MAP"],
      },
    ],
    async run(inv) {
      const conf = inv.configuration;
      const node = inv.args.shift();
      const script = conf.script as string | undefined;
      const map = conf.collectivemap as string | undefined;
      if (!node && !script && conf.collectives !== true && !map) {
        throw new UsageError("Need to specify either a node name, script to run or other options");
      }
      if (script) return scriptReport(inv, script);
      if (map) return collectivesMap(inv, map);
      if (conf.collectives === true) return collectivesReport(inv);
      return nodeInventory(inv, node as string);
    },
  }),
});
