/**
 * The npm release as an operator meets it: every public workspace package
 * published (with pnpm publish, as `changeset publish` in `pnpm run release`
 * does) to a real registry, a local Verdaccio; `@phobos/mco` and `@phobos/mcollectived`
 * installed globally from it into a clean prefix; a third-party agent made
 * by `mco plugin generate` and a broken plugin published and installed
 * globally beside them. The globally installed mco documents the agent and
 * reports the broken plugin with its reason, and the globally installed
 * mcollectived runs the agent for `mco rpc`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Site, startSite } from "./node-with-broker.js";
import { freePortIn, releasePortRange } from "./ports.js";
import { run, runOk } from "./processes.js";
import { type LocalRegistry, startLocalRegistry } from "./registry.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SLOW = 1_800_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  devDependencies?: Record<string, string>;
}

/** Every public workspace package, as the publish step sees them. */
function publicPackages(): Manifest[] {
  const found: Manifest[] = [];
  for (const group of ["packages", "plugins", "apps", "tooling"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      const path = join(ROOT, group, name, "package.json");
      if (!existsSync(path)) continue;
      const pkg = JSON.parse(readFileSync(path, "utf8")) as Manifest;
      if (!pkg.private) found.push(pkg);
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

let dir: string;
let registry: LocalRegistry | undefined;
let site: Site | undefined;
let prefix: string;
let mco: string;
let clientConfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "release-npm-"));
  const { from } = releasePortRange();
  registry = await startLocalRegistry(join(dir, "registry"), await freePortIn(from, from + 49));
  const env = registry.env;

  // What `changeset publish` runs per package (pnpm publish, workspace: ranges rewritten), in
  // one process: a pnpm start-up per package costs minutes on a loaded CI machine.
  runOk("pnpm", ["-r", "publish", "--no-git-checks", "--access", "public"], { cwd: ROOT, env });

  prefix = join(dir, "prefix");
  // --ignore-scripts: better-sqlite3 (the registry's, loaded only when a registry store
  // opens) would fetch its prebuilt binary from GitHub, which this machine cannot reach,
  // and compile from source instead for over 20 minutes. Nothing this test runs opens a
  // registry, and no @phobos package has an install script of its own.
  runOk(
    "npm",
    ["install", "-g", "--ignore-scripts", "--prefix", prefix, "@phobos/mco", "@phobos/mcollectived"],
    {
      cwd: dir,
      env,
    },
  );
  mco = join(prefix, "bin", "mco");

  // A third-party agent exactly as `mco plugin generate` writes it, and a broken one.
  const src = join(dir, "src");
  await mkdir(src);
  runOk(mco, ["plugin", "generate", "agent", "weather", "actions=forecast"], { cwd: src, env });
  const broken = join(src, "broken");
  await mkdir(broken);
  await writeFile(
    join(broken, "package.json"),
    JSON.stringify({
      name: "phobos-agent-broken",
      version: "1.0.0",
      type: "module",
      mcollective: {
        api: 1,
        plugins: [{ type: "agent", name: "broken", entry: "./agent.js", ddl: "./ddl.json" }],
      },
    }),
  );
  await writeFile(join(broken, "agent.js"), "export default {};\n");
  await writeFile(join(broken, "ddl.json"), "{ this is not JSON");
  for (const plugin of ["weather", "broken"]) runOk("npm", ["publish"], { cwd: join(src, plugin), env });
  runOk("npm", ["install", "-g", "--prefix", prefix, "phobos-agent-weather", "phobos-agent-broken"], {
    cwd: dir,
    env,
  });
}, SLOW);

afterAll(async () => {
  await site?.stop();
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, SLOW);

describe("the npm release", () => {
  it("publishes every public package, at its workspace version", async () => {
    const published = await Promise.all(
      publicPackages().map(async (pkg) => {
        const res = await fetch(`${registry?.url}${pkg.name.replace("/", "%2f")}`);
        const doc = (await res.json()) as { "dist-tags"?: { latest?: string } };
        return [pkg.name, doc["dist-tags"]?.latest];
      }),
    );
    expect(published).toEqual(publicPackages().map((pkg) => [pkg.name, pkg.version]));
  });

  it("lists every public package among this check's dependencies, so turbo builds them all first", () => {
    const own = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Manifest;
    expect(publicPackages().filter((pkg) => own.devDependencies?.[pkg.name] === undefined)).toEqual([]);
  });

  it("publishes manifests with repository, homepage, bugs, the LICENSE text and no workspace: ranges", async () => {
    const doc = (await (await fetch(`${registry?.url}@phobos%2fmco`)).json()) as {
      versions: Record<string, Record<string, unknown>>;
      "dist-tags": { latest: string };
    };
    const latest = doc.versions[doc["dist-tags"].latest] as Record<string, unknown>;
    expect(latest.repository).toEqual({
      type: "git",
      url: "git+https://github.com/phobos-mco/phobos.git",
      directory: "apps/mco",
    });
    expect(latest.homepage).toBe("https://github.com/phobos-mco/phobos/tree/main/apps/mco#readme");
    expect(latest.bugs).toEqual({ url: "https://github.com/phobos-mco/phobos/issues" });
    expect(JSON.stringify(latest.dependencies)).not.toContain("workspace:");
    const installed = join(prefix, "lib", "node_modules", "@phobos", "mco");
    expect(await readFile(join(installed, "LICENSE"), "utf8")).toBe(
      await readFile(join(ROOT, "LICENSE"), "utf8"),
    );
  });

  it("installs mco globally: mco plugin doc lists the agent installed beside it and the broken plugin with its reason", async () => {
    clientConfig = await writeClientConfig(join(dir, "client"), {
      identity: "npm-client",
      broker: { connector: "rabbitmq", pool: [{ host: "127.0.0.1", port: 1, user: "u", password: "p" }] },
      security: { provider: "psk", psk: "unused" },
      libdir: [join(dir, "empty-libdir")],
    });
    const doc = run(mco, ["plugin", "doc", "-c", clientConfig]);
    expect(doc.status, doc.stderr).toBe(0);
    expect(doc.stdout).toMatch(/Agents:\n(?: {2}.*\n)*? {2}weather +The weather agent\n/);
    expect(doc.stdout).toMatch(/ {2}rpcutil +General helpful actions/);
    expect(doc.stdout).toMatch(/broken.*(?:\n.*)*?DDL|DDL(?:.*\n)*?.*broken/);
    expect(doc.stdout).toContain("phobos-agent-broken");
    expect(doc.stdout).toMatch(/cannot read the DDL: .*JSON/);

    const agent = run(mco, ["plugin", "doc", "agent/weather", "-c", clientConfig]);
    expect(agent.status, agent.stderr).toBe(0);
    expect(agent.stdout).toContain("forecast");
  });

  it("installs mcollectived globally: it loads the agent beside it, skips the broken one, and answers mco rpc", async () => {
    const { from } = releasePortRange();
    site = await startSite({
      mcollectived: join(prefix, "bin", "mcollectived"),
      dir,
      identity: "npm-node",
      libdir: join(dir, "empty-libdir"),
      ports: { from: from + 1, to: from + 49 },
    });
    const config = site.clientConfig;
    const log = site.log;
    const reply = run(mco, ["rpc", "weather", "forecast", "name=athens", "-I", "npm-node", "-c", config]);
    expect(reply.stderr).toBe("");
    expect(reply.stdout).toMatch(/npm-node\s+\n\s+Message: forecast athens\n/);
    expect(await readFile(log, "utf8")).toMatch(/phobos-agent-broken/);
  });
});
