/**
 * The fleet as the registry knows it: the database `mco --dm registry`
 * reads (`plugin.registry.database`, where the registration receiver's
 * `plugin.registration.database` writes), judged by the registry discovery
 * plugin's own selection (core's filter engine on each node's stored
 * facts, classes and agents), so a filter selects here exactly the nodes
 * `mco find --dm registry` selects.
 */
import { type Config, type Logger, type PluginSettings, pluginContextFor } from "@phobos/core";
import { openClientRegistry, selectNodes } from "@phobos/discovery-registry";
import type { NodeRecord, RegistryStore } from "@phobos/registry";
import type { FilterSpec, NodeSummary, NodesResponse } from "../shared/api-types.js";
import { toFilter } from "./filter-spec.js";
import { HttpError } from "./http-error.js";

export function nodeSummary(node: NodeRecord): NodeSummary {
  return {
    identity: node.identity,
    lastSeen: node.lastSeen.toISOString(),
    firstSeen: node.firstSeen.toISOString(),
    stale: node.stale,
    agents: node.agents,
    classes: node.classes,
    collectives: node.collectives,
    facts: node.facts,
    version: node.version ?? null,
    source: node.source,
  };
}

export class Fleet {
  readonly settings: PluginSettings;
  #store: Promise<RegistryStore> | undefined;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    this.settings = pluginContextFor(config, "discovery", "registry", { log, mode: "client" }).settings;
  }

  get configured(): boolean {
    return this.settings.has("database");
  }

  /** The store, opened read-only once (a failed open is tried again next time). */
  async #open(): Promise<RegistryStore> {
    if (!this.configured) {
      throw new HttpError(
        503,
        "no registry: set plugin.registry.database in the console's client.cfg to the database the registration receiver writes",
      );
    }
    this.#store ??= openClientRegistry(this.settings, this.log);
    try {
      return await this.#store;
    } catch (err) {
      this.#store = undefined;
      throw new HttpError(503, (err as Error).message);
    }
  }

  /** The nodes `spec` selects (stale ones too, flagged), `q` matching identity, class, agent or fact value. */
  async nodes(spec: FilterSpec, q: string | undefined, includeStale = true): Promise<NodesResponse> {
    const filter = toFilter(spec);
    const store = await this.#open();
    const all = await store.nodes();
    let selection: Awaited<ReturnType<typeof selectNodes>>;
    try {
      selection = await selectNodes(all, filter, { includeStale });
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    const chosen = new Set(selection.identities);
    const needle = q?.trim().toLowerCase();
    const nodes = all
      .filter((n) => chosen.has(n.identity))
      .filter((n) => !needle || searchText(n).includes(needle))
      .map(nodeSummary);
    return {
      nodes,
      count: nodes.length,
      errors: [...selection.errors].map(([reason, count]) => ({ reason, count })),
      registry: store.describe(),
    };
  }

  async node(identity: string): Promise<NodeSummary> {
    const node = await (await this.#open()).node(identity);
    if (!node) throw new HttpError(404, `the registry has no node '${identity}'`);
    return nodeSummary(node);
  }

  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await (await store?.catch(() => undefined))?.close();
  }
}

function searchText(node: NodeRecord): string {
  return [node.identity, ...node.classes, ...node.agents, ...Object.values(node.facts).map(String)]
    .join("\n")
    .toLowerCase();
}
