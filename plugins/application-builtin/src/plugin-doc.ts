/**
 * `mco plugin doc`: every documented plugin by type with its description,
 * plugins that could not be loaded with the reason; or one plugin's DDL
 * rendered as MCollective renders it.
 */
import {
  type Ddl,
  mcollectiveValidators,
  type PluginListGroup,
  type PluginLoadProblem,
  type PluginRegistry,
  type PluginType,
  renderDdlHelp,
  renderPluginList,
} from "@phobos/core";
import { callableAgents } from "./agents.js";

/** The types `mco plugin doc` knows, in its order. */
export const DOC_TYPES = ["agent", "aggregate", "connector", "data", "discovery", "validator"] as const;

/** MCollective's own descriptions of the validators built into Phobos's core. */
const BUILTIN_VALIDATORS: Record<string, string> = {
  array: "Validates that a value is included in a list",
  ipv4address: "Validates that a value is an ipv4 address",
  ipv6address: "Validates that a value is an ipv6 address",
  length: "Validates that the length of a string is less or equal to a specified value",
  regex: "Validates that a string matches a supplied regular expression",
  shellsafe: "Validates that a string is shellsafe",
  typecheck: "Validates that a value is of a certain type",
};

function names(registry: PluginRegistry, type: PluginType): string[] {
  if (type === "agent") return callableAgents(registry);
  const found = registry.list(type).map((e) => e.name);
  if (type === "validator") {
    for (const name of Object.keys(mcollectiveValidators)) if (!found.includes(name)) found.push(name);
  }
  return found;
}

async function describe(registry: PluginRegistry, type: PluginType, name: string): Promise<string> {
  const entry = registry.find(type, name);
  if (!entry) return BUILTIN_VALIDATORS[name] ?? "";
  if (entry.ddlPath !== undefined) return (await registry.loadDdl(type, name)).metadata.description;
  if (entry.description) return entry.description;
  // Plugins without a DDL describe themselves in their definition (aggregates do).
  return (await registry.load(type, name)).description ?? "";
}

export async function pluginDocList(registry: PluginRegistry, color: boolean): Promise<string> {
  const groups: PluginListGroup[] = [];
  const errors: PluginLoadProblem[] = [];
  for (const type of DOC_TYPES) {
    const plugins: { name: string; description: string }[] = [];
    for (const name of names(registry, type)) {
      try {
        plugins.push({ name, description: await describe(registry, type, name) });
      } catch (err) {
        errors.push({ type, name, message: (err as Error).message });
      }
    }
    groups.push({ type, plugins });
  }
  // Plugins skipped before they could be listed: a bad manifest, a wrong API version, a broken DDL.
  for (const error of registry.errors) {
    const type = error.pluginType ?? "plugin";
    const name = error.pluginName ?? error.packageName ?? error.path;
    if (!errors.some((e) => e.type === type && e.name === name))
      errors.push({ type, name, message: error.message });
  }
  return renderPluginList(groups, { errors, color });
}

/** A metadata-only DDL for a plugin that ships none, from its manifest. */
function manifestDdl(registry: PluginRegistry, type: PluginType, name: string): Ddl | undefined {
  const entry = registry.find(type, name);
  if (!entry) return undefined;
  return {
    kind: "metadata",
    metadata: {
      name,
      description: entry.description ?? "",
      author: entry.packageName ?? "",
      license: "",
      version: entry.version ?? "",
      url: "",
      timeout: 0,
    },
  };
}

async function ddlFor(registry: PluginRegistry, type: PluginType, name: string): Promise<Ddl | undefined> {
  const entry = registry.find(type, name);
  if (!entry && type === "validator" && BUILTIN_VALIDATORS[name] !== undefined) {
    return {
      kind: "metadata",
      metadata: {
        name: name.charAt(0).toUpperCase() + name.slice(1),
        description: BUILTIN_VALIDATORS[name],
        author: "P. Loubser <pieter.loubser@puppetlabs.com>",
        license: "ASL 2.0",
        version: "1.0",
        url: "https://docs.puppetlabs.com/mcollective/",
        timeout: 1,
      },
    };
  }
  if (!entry) return undefined;
  if (entry.ddlPath !== undefined) return registry.loadDdl(type, name);
  return manifestDdl(registry, type, name);
}

/** `mco plugin doc <name>` or `<type>/<name>`: the text, or the error MCollective aborts with. */
export async function pluginDoc(
  registry: PluginRegistry,
  target: string,
): Promise<{ text: string } | { error: string }> {
  const qualified = /^(.+?)\/(.+)$/.exec(target);
  if (qualified) {
    const [, type = "", name = ""] = qualified;
    const ddl = (DOC_TYPES as readonly string[]).includes(type)
      ? await ddlFor(registry, type as PluginType, name)
      : undefined;
    return ddl
      ? { text: renderDdlHelp(ddl) }
      : { error: `Could not find a '${type}' plugin named '${name}'` };
  }
  const types = DOC_TYPES.filter((type) => names(registry, type).includes(target));
  if (types.length > 1)
    return { error: "Duplicate plugin name found, please specify a full path like agent/rpcutil" };
  const type = types[0];
  if (!type) return { error: `Could not find a plugin named '${target}' in any supported plugin type` };
  const ddl = await ddlFor(registry, type, target);
  if (!ddl) return { error: `Could not find a '${type}' plugin named '${target}'` };
  return { text: renderDdlHelp(ddl) };
}
