import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import type { Ddl } from "@phobos/ddl";
import { readDdlFile } from "@phobos/ddl";
import { ConfigError, PluginLoadError } from "@phobos/errors";
import { checkDefinition } from "./check-definition.js";
import { type DdlFor, ddlKindFor, ddlProblems } from "./ddl-shape.js";
import { didYouMean, formatDidYouMean } from "./did-you-mean.js";
import { provideHostPackages } from "./host-resolve.js";
import type { PluginDefinition, PluginType } from "./types.js";

/**
 * Where an entry was found: a libdir package, an app dependency, a package
 * installed beside the app (the same node_modules, as a global npm install
 * puts them), or a bare DDL file in a libdir.
 */
export type PluginSource = "libdir" | "dependency" | "beside" | "ddl-only";

/** One plugin the loader found, before any of its code has run. */
export interface PluginEntry<T extends PluginType = PluginType> {
  readonly type: T;
  readonly name: string;
  readonly source: PluginSource;
  /** The npm package name; undefined for DDL-only entries (and a package.json without one). */
  readonly packageName: string | undefined;
  readonly version: string | undefined;
  /** The package directory (real path); for a DDL-only entry, the directory holding the DDL. */
  readonly packageDir: string;
  /** Absolute path of the entry module; absent for DDL-only entries. */
  readonly entryPath?: string;
  /** Absolute path of the DDL: a JS module, a `.json` or a `.ddl` file. */
  readonly ddlPath?: string;
  readonly description: string | undefined;
  /** The libdir it came from (libdir and ddl-only sources). */
  readonly libdir?: string;
  /** Copies of the same (type, name) found later, which this one hides. */
  readonly shadowed: readonly PluginEntry<T>[];
  /** The failure of the last `load` or `loadDdl`, remembered so it is reported, not retried. */
  readonly error: PluginLoadError | undefined;
}

/** Where a config line named a plugin, for `require`'s error. */
export interface ConfigPlace {
  file?: string;
  line?: number;
  key?: string;
}

type MutableEntry = { -readonly [K in keyof PluginEntry]: PluginEntry[K] } & { shadowed: MutableEntry[] };

/** The config key MCollective uses to name the plugin of a type, where there is one. */
const CONFIG_KEY: Partial<Record<PluginType, string>> = {
  connector: "connector",
  security: "securityprovider",
  facts: "factsource",
  registration: "registration",
  discovery: "default_discovery_method",
};

/**
 * Every plugin found by `discoverPlugins`, keyed by (type, name). Nothing
 * has been imported yet: `load` imports one entry on demand, so `mco`
 * never runs agent code and a broken plugin costs nothing until it is used.
 * Failures are collected on `errors` (and on the entry) as they happen.
 */
export class PluginRegistry {
  readonly #entries = new Map<string, MutableEntry>();
  readonly #errors: PluginLoadError[];
  readonly #definitions = new WeakMap<PluginEntry, Promise<PluginDefinition>>();
  readonly #ddls = new WeakMap<PluginEntry, Promise<Ddl>>();

  readonly #hostDir: string | undefined;

  /**
   * @internal Built by `discoverPlugins`. `hostDir` is the app's directory,
   * from which a libdir plugin's `@phobos/*` peer dependencies resolve.
   */
  constructor(entries: Iterable<PluginEntry>, errors: Iterable<PluginLoadError>, hostDir?: string) {
    this.#hostDir = hostDir;
    for (const entry of entries) this.#entries.set(key(entry.type, entry.name), entry as MutableEntry);
    this.#errors = [...errors];
  }

  /** Every failure so far: discovery's, then each failed `load`/`loadDdl`'s. */
  get errors(): readonly PluginLoadError[] {
    return this.#errors;
  }

  /** The winning entries, in discovery order; of one type when `type` is given. */
  list<T extends PluginType>(type: T): PluginEntry<T>[];
  list(): PluginEntry[];
  list(type?: PluginType): PluginEntry[] {
    const all = [...this.#entries.values()];
    return type === undefined ? all : all.filter((entry) => entry.type === type);
  }

  find<T extends PluginType>(type: T, name: string): PluginEntry<T> | undefined {
    return this.#entries.get(key(type, name)) as PluginEntry<T> | undefined;
  }

  /** Errors recorded against one plugin: why a configured one may be missing or unusable. */
  errorsFor(type: PluginType, name: string): PluginLoadError[] {
    return this.#errors.filter((e) => e.pluginType === type && e.pluginName === name);
  }

  /**
   * Imports the entry module (once; later calls share the result, success
   * or failure) and checks its default export. Rejects with a
   * PluginLoadError at stage import, export or api-version.
   */
  load<T extends PluginType>(type: T, name: string): Promise<PluginDefinition<T>> {
    const entry = this.find(type, name);
    if (!entry) return Promise.reject(this.#notFound(type, name));
    let pending = this.#definitions.get(entry);
    if (!pending) {
      pending = this.#remember(entry, importDefinition(entry, this.#hostDir));
      this.#definitions.set(entry, pending);
    }
    return pending as unknown as Promise<PluginDefinition<T>>;
  }

  /**
   * Every entry of a type that has code, loaded; broken ones are left out
   * and returned as errors (mcollectived starts with the agents that work).
   */
  async loadAll<T extends PluginType>(
    type: T,
  ): Promise<{ definitions: PluginDefinition<T>[]; errors: PluginLoadError[] }> {
    const entries = this.list(type).filter((entry) => entry.entryPath !== undefined);
    const settled = await Promise.allSettled(entries.map((entry) => this.load(type, entry.name)));
    const definitions: PluginDefinition<T>[] = [];
    const errors: PluginLoadError[] = [];
    for (const outcome of settled) {
      if (outcome.status === "fulfilled") definitions.push(outcome.value);
      else errors.push(outcome.reason as PluginLoadError);
    }
    return { definitions, errors };
  }

  /** Reads the entry's DDL (once): a JS module's default export, or a `.json`/`.ddl` file. */
  loadDdl<T extends PluginType>(type: T, name: string): Promise<DdlFor<T>> {
    const entry = this.find(type, name);
    if (!entry) return Promise.reject(this.#notFound(type, name));
    let pending = this.#ddls.get(entry);
    if (!pending) {
      pending = this.#remember(entry, readEntryDdl(entry, this.#hostDir));
      this.#ddls.set(entry, pending);
    }
    return pending as Promise<DdlFor<T>>;
  }

  /**
   * For the plugins the config names (`connector = rabbitmq`): the loaded
   * definition, or a ConfigError that lists what is available, suggests a
   * near name and says why a found copy could not be used. Names are
   * matched case-insensitively, as MCollective capitalised them.
   */
  async require<T extends PluginType>(
    type: T,
    name: string,
    where: ConfigPlace = {},
  ): Promise<PluginDefinition<T>> {
    const wanted = name.trim().toLowerCase();
    const place = { ...where, key: where.key ?? CONFIG_KEY[type] };
    if (!this.find(type, wanted)) throw this.#notFound(type, wanted, place);
    try {
      return await this.load(type, wanted);
    } catch (err) {
      throw new ConfigError(
        `${type} plugin '${wanted}' was found but cannot be used: ${(err as Error).message}`,
        place,
        { cause: err },
      );
    }
  }

  #notFound(type: PluginType, name: string, where: ConfigPlace = {}): ConfigError {
    const available = this.list(type).map((entry) => entry.name);
    const known = this.errorsFor(type, name);
    const parts = [
      known[0]
        ? `${type} plugin '${name}' was found but skipped: ${known[0].message}`
        : `${type} plugin '${name}' is not installed`,
    ];
    const suggestion = formatDidYouMean(didYouMean(name, available));
    if (suggestion) parts.push(suggestion);
    parts.push(
      available.length > 0
        ? `available ${type} plugins: ${[...available].sort().join(", ")}`
        : `no ${type} plugins are installed`,
    );
    parts.push(`install a package whose package.json lists it under "mcollective", or put it in a libdir`);
    return new ConfigError(parts.join("; "), where, known[0] ? { cause: known[0] } : undefined);
  }

  #remember<V>(entry: PluginEntry, pending: Promise<V>): Promise<V> {
    return pending.catch((err: unknown) => {
      if (err instanceof PluginLoadError) {
        (entry as MutableEntry).error = err;
        this.#errors.push(err);
      }
      throw err;
    });
  }
}

export function key(type: string, name: string): string {
  return `${type}/${name}`;
}

async function importDefinition(entry: PluginEntry, hostDir: string | undefined): Promise<PluginDefinition> {
  const who = { packageName: entry.packageName, pluginType: entry.type, pluginName: entry.name };
  if (entry.entryPath === undefined) {
    throw new PluginLoadError({
      ...who,
      path: entry.ddlPath ?? entry.packageDir,
      stage: "import",
      reason: `${entry.type} '${entry.name}' has only a DDL at ${entry.ddlPath}: Phobos can call it but not run it (install a Phobos package that implements it to run it here)`,
    });
  }
  if (hostDir !== undefined && entry.source !== "dependency") provideHostPackages(hostDir);
  let module: unknown;
  try {
    module = await import(pathToFileURL(entry.entryPath).href);
  } catch (err) {
    throw new PluginLoadError(
      { ...who, path: entry.entryPath, stage: "import", reason: `importing it threw: ${message(err)}` },
      { cause: err },
    );
  }
  return checkDefinition(module, { ...who, type: entry.type, name: entry.name, path: entry.entryPath });
}

async function readEntryDdl(entry: PluginEntry, hostDir: string | undefined): Promise<Ddl> {
  const who = { packageName: entry.packageName, pluginType: entry.type, pluginName: entry.name };
  const path = entry.ddlPath;
  if (path === undefined) {
    throw new PluginLoadError({
      ...who,
      path: entry.packageDir,
      stage: "ddl",
      reason: `it has no DDL: add "ddl" to its entry in package.json`,
    });
  }
  const kind = ddlKindFor(entry.type);
  const fail = (reason: string, cause?: unknown) =>
    new PluginLoadError({ ...who, path, stage: "ddl", reason }, cause === undefined ? undefined : { cause });
  let ddl: unknown;
  const ext = extname(path);
  if (ext === ".json" || ext === ".ddl") {
    try {
      ddl = await readDdlFile(path, kind);
    } catch (err) {
      throw fail(`cannot read the DDL: ${message(err)}`, err);
    }
  } else {
    let module: { default?: unknown };
    if (hostDir !== undefined && entry.source !== "dependency") provideHostPackages(hostDir);
    try {
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (err) {
      throw fail(`importing the DDL module threw: ${message(err)}`, err);
    }
    if (module.default === undefined) {
      const helper = `define${kind.charAt(0).toUpperCase()}${kind.slice(1)}Ddl`;
      throw fail(`the DDL module has no default export: end it with \`export default ${helper}({...})\``);
    }
    ddl = module.default;
  }
  const problems = ddlProblems(ddl, kind);
  if (problems.length > 0) throw fail(`the DDL ${problems.join("; ")}`);
  return ddl as Ddl;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
