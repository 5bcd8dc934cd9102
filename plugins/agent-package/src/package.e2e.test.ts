/**
 * `mco package` end to end: three Phobos mcollectived processes on the
 * machine's RabbitMQ (tooling/interop), Phobos's mco and Debian's Ruby mco,
 * and a package of the test's own on the real dpkg. One node installs,
 * updates, uninstalls and purges it; every node reports its status, in
 * batches of two, in the Ruby application's layout; Ruby's `mco rpc`
 * (reading the fixture DDL from its libdir) and Phobos's print the same
 * status replies; and a package name carrying a shell command is refused
 * and runs nothing.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEBIAN_PLUGIN_DIR,
  type RubyFleet,
  type RubyMcoResult,
  startRubyFleet,
  writeClientConfig,
  writeRubyFix,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AptSite, createAptSite } from "./__fixtures__/apt-site.js";

const NODES = ["node1", "node2", "node3"];

let site: AptSite;
let fleet: RubyFleet;
let rubyConfig: string;

beforeAll(async () => {
  site = await createAptSite();
  await site.publish("1.0-1");
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-package",
    nodes: NODES.map((identity) => ({
      identity,
      implementation: "phobos" as const,
      agents: ["discovery", "rpcutil", "package"],
      extra: { "plugin.package.apt.config_file": site.configFile },
    })),
  });
  // Ruby's mco finds the package DDL in a libdir of its own client.cfg.
  const dir = join(fleet.dir, "ruby-client");
  const lib = join(dir, "lib");
  await mkdir(join(lib, "mcollective", "agent"), { recursive: true });
  await copyFile(
    fileURLToPath(new URL("./__fixtures__/package.ddl", import.meta.url)),
    join(lib, "mcollective", "agent", "package.ddl"),
  );
  const fix = await writeRubyFix(join(dir, "ruby-fix"));
  rubyConfig = await writeClientConfig(dir, {
    ...fleet.clientConfigOptions,
    libdir: [fix, lib, DEBIAN_PLUGIN_DIR],
  });
});

afterAll(async () => {
  await fleet?.dispose();
  await site?.dispose();
});

const phobos = (args: string[], input?: string) =>
  fleet.mco(args, { implementation: "phobos", ...(input === undefined ? {} : { input }) });

/** Output with the run's timings made comparable. */
const timeless = (text: string) =>
  text
    .replace(/ in \d+\.\d\d ms/g, " in T ms")
    .replace(/^( +)(Start Time|Discovery Time|Agent Time|Total Time): .*ms$/gm, "$1$2: Tms");

/** {@link timeless}, and the node lines (`   node2: …`) in name order, not in the order replies came. */
function comparable(text: string): string {
  const lines = timeless(text).split("\n");
  const nodes = lines.filter((l) => /^ +node\d+: /.test(l));
  const first = lines.findIndex((l) => /^ +node\d+: /.test(l));
  if (first < 0) return lines.join("\n");
  const sorted = [...nodes].sort();
  return [...lines.slice(0, first), ...sorted, ...lines.slice(first + nodes.length)].join("\n");
}

function ok(run: RubyMcoResult): RubyMcoResult {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

describe("mco package against three Phobos daemons", () => {
  it("status --batch 2: every node purged, in the Ruby application's layout", async () => {
    const run = ok(await phobos(["package", "status", site.name, "--batch", "2", "--np"]));
    // MCollective prints `name-ensure.arch` unless ensure is "absent": a purged package has no arch.
    expect(comparable(run.stdout)).toBe(
      [
        ...NODES.map((n) => `   ${n}: ${site.name}-purged.`),
        "",
        "Summary of Arch:",
        "",
        "     No aggregate summary could be computed",
        "",
        "Summary of Ensure:",
        "",
        "   purged = 3",
        "",
        "",
        "Finished processing 3 / 3 hosts in T ms",
        "",
        "",
      ].join("\n"),
    );
  });

  it("install on one node, then status everywhere: that node has the version, the summary counts it", async () => {
    ok(await phobos(["package", "apt_update", "-I", "node1", "--np"]));
    const install = ok(await phobos(["package", "install", site.name, "-I", "node1", "--np"]));
    expect(comparable(install.stdout)).toBe(
      [
        "",
        "Summary of Ensure:",
        "",
        "   1.0-1 = 1",
        "",
        "",
        "Finished processing 1 / 1 hosts in T ms",
        "",
        "",
      ].join("\n"),
    );
    // One dpkg database behind three daemons: all of them see the installed package.
    const status = ok(await phobos(["package", "status", site.name, "--batch", "2", "--np"]));
    expect(comparable(status.stdout)).toBe(
      [
        ...NODES.map((n) => `   ${n}: ${site.name}-1.0-1.all`),
        "",
        "Summary of Arch:",
        "",
        "   all = 3",
        "",
        "Summary of Ensure:",
        "",
        "   1.0-1 = 3",
        "",
        "",
        "Finished processing 3 / 3 hosts in T ms",
        "",
        "",
      ].join("\n"),
    );
  });

  it("Ruby's mco rpc package status prints what Phobos's mco rpc prints", async () => {
    const args = ["rpc", "package", "status", `package=${site.name}`, "-I", "node2", "--np"];
    const [ruby, ours] = await Promise.all([fleet.mco(args, { configFile: rubyConfig }), phobos(args)]);
    ok(ruby);
    ok(ours);
    expect(timeless(ruby.stdout)).toContain(`   Ensure: 1.0-1`);
    expect(timeless(ours.stdout)).toBe(timeless(ruby.stdout));
  });

  it("a second install fails on the node with MCollective's message, exit code 2", async () => {
    const run = await phobos(["package", "install", site.name, "-I", "node1", "--np"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("   node1: Package is already installed\n");
  });

  it("update to a newer build, uninstall, purge: each node's state in the summary", async () => {
    await site.publish("2.0-1");
    ok(await phobos(["package", "apt_update", "-I", "node1", "--np"]));
    const update = ok(await phobos(["package", site.name, "update", "-I", "node1", "--np"]));
    expect(update.stdout).toContain("   2.0-1 = 1\n");
    const uninstall = ok(await phobos(["package", "uninstall", site.name, "-I", "node1", "--np"]));
    expect(uninstall.stdout).toContain("   absent = 1\n");
    const purge = ok(await phobos(["package", "purge", site.name, "-I", "node1", "--np"]));
    expect(purge.stdout).toContain("   purged = 1\n");
  });

  it("without a filter or --yes, a change asks first and a 'n' does nothing", async () => {
    const run = await phobos(["package", "install", site.name, "--np"], "n\n");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("Do you really want to operate on packages unfiltered? (y/n): ");
  });

  it("count and md5 print each node's answer", async () => {
    const count = ok(await phobos(["package", "count", "--np"]));
    for (const n of NODES) expect(count.stdout).toMatch(new RegExp(`^   ${n}: \\d+$`, "m"));
    const md5 = ok(await phobos(["package", "md5", "--np"]));
    for (const n of NODES) expect(md5.stdout).toMatch(new RegExp(`^   ${n}: [0-9a-f]{32}$`, "m"));
  });

  it("a package name carrying a shell command is refused by both mcos, and nothing runs", async () => {
    const marker = join(fleet.dir, "injected");
    const ours = await phobos(["package", "install", `foo;touch ${marker}`, "--yes", "--np"]);
    expect(ours.code).not.toBe(0);
    expect(`${ours.stdout}${ours.stderr}`).toContain("value should not have ; in it");
    const ruby = await fleet.mco(["rpc", "package", "install", `package=foo;touch ${marker}`, "--np"], {
      configFile: rubyConfig,
    });
    expect(ruby.code).not.toBe(0);
    expect(`${ruby.stdout}${ruby.stderr}`).toContain("value should not have ; in it");
    expect(existsSync(marker)).toBe(false);
    await rm(marker, { force: true });
  });
});
