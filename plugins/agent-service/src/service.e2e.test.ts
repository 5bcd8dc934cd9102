/**
 * `mco service` end to end: three Phobos mcollectived processes on the
 * machine's RabbitMQ (tooling/interop), Phobos's mco and Debian's Ruby mco,
 * and a sysvinit service of the test's own. All three daemons restart it
 * at once (the init script serialises them), status shows every node,
 * stop on one node and the summary counts it; output in the Ruby
 * application's layout. Ruby's `mco rpc service status` (reading the
 * fixture DDL from its libdir) prints what Phobos's prints, and a service
 * name carrying a shell command is refused and runs nothing.
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
import { installTestService, type TestService } from "./__fixtures__/init-script.js";

const NODES = ["node1", "node2", "node3"];

let service: TestService;
let fleet: RubyFleet;
let rubyConfig: string;

beforeAll(async () => {
  service = await installTestService();
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-service",
    nodes: NODES.map((identity) => ({
      identity,
      implementation: "phobos" as const,
      agents: ["discovery", "rpcutil", "service"],
    })),
  });
  const dir = join(fleet.dir, "ruby-client");
  const lib = join(dir, "lib");
  await mkdir(join(lib, "mcollective", "agent"), { recursive: true });
  await copyFile(
    fileURLToPath(new URL("./__fixtures__/service.ddl", import.meta.url)),
    join(lib, "mcollective", "agent", "service.ddl"),
  );
  const fix = await writeRubyFix(join(dir, "ruby-fix"));
  rubyConfig = await writeClientConfig(dir, {
    ...fleet.clientConfigOptions,
    libdir: [fix, lib, DEBIAN_PLUGIN_DIR],
  });
});

afterAll(async () => {
  await fleet?.dispose();
  await service?.dispose();
});

const phobos = (args: string[], input?: string) =>
  fleet.mco(args, { implementation: "phobos", ...(input === undefined ? {} : { input }) });

/** Timings made comparable and node lines in name order, not in the order replies came. */
function comparable(text: string): string {
  const lines = text.replace(/ in \d+\.\d\d ms/g, " in T ms").split("\n");
  const isNode = (l: string) => /^ +node\d+: /.test(l);
  const first = lines.findIndex(isNode);
  if (first < 0) return lines.join("\n");
  const nodes = lines.filter(isNode).sort();
  return [...lines.slice(0, first), ...nodes, ...lines.slice(first + nodes.length)].join("\n");
}

function ok(run: RubyMcoResult): RubyMcoResult {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

const summary = (counts: string[], hosts: number) => [
  "Summary of Service Status:",
  "",
  ...counts,
  "",
  "",
  `Finished processing ${hosts} / ${hosts} hosts in T ms`,
  "",
  "",
];

describe("mco service against three Phobos daemons", () => {
  it("status: every node's line, then the summary", async () => {
    const run = ok(await phobos(["service", service.name, "status", "--np"]));
    expect(comparable(run.stdout)).toBe(
      [...NODES.map((n) => `   ${n}: stopped`), "", ...summary(["   stopped = 3"], 3)].join("\n"),
    );
  });

  it("restart on every node at once: no node lines (all running), the summary says so", async () => {
    const run = ok(await phobos(["service", service.name, "restart", "--yes", "--np"]));
    expect(comparable(run.stdout)).toBe(["", ...summary(["   running = 3"], 3)].join("\n"));
    expect(await service.pid()).toBeTypeOf("number");
  });

  it("restart again gives the service a new daemon", async () => {
    const before = await service.pid();
    ok(await phobos(["service", "restart", service.name, "-I", "node2", "--np"]));
    const after = await service.pid();
    expect(after).toBeTypeOf("number");
    expect(after).not.toBe(before);
  });

  it("start on a running service: the node's refusal, exit code 2", async () => {
    const run = await phobos(["service", service.name, "start", "-I", "node1", "--np"]);
    expect(run.code).toBe(2);
    expect(comparable(run.stdout)).toBe(
      [
        `   node1: Could not start '${service.name}': Service is already running`,
        "",
        ...summary(["   running = 1"], 1),
      ].join("\n"),
    );
  });

  it("Ruby's mco rpc service status prints what Phobos's mco rpc prints", async () => {
    const args = ["rpc", "service", "status", `service=${service.name}`, "-I", "node3", "--np"];
    const [ruby, ours] = await Promise.all([fleet.mco(args, { configFile: rubyConfig }), phobos(args)]);
    ok(ruby);
    ok(ours);
    expect(ruby.stdout).toContain("Service Status: running");
    expect(comparable(ours.stdout)).toBe(comparable(ruby.stdout));
  });

  it("stop on one node: it is stopped for all of them (one host), the summary counts it", async () => {
    const run = ok(await phobos(["service", service.name, "stop", "-I", "node1", "--np"]));
    expect(comparable(run.stdout)).toBe(["", ...summary(["   stopped = 1"], 1)].join("\n"));
    expect(await service.pid()).toBeUndefined();
  });

  it("without a filter or --yes, a change asks first and a 'n' does nothing", async () => {
    const run = await phobos(["service", service.name, "start", "--np"], "n\n");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("Do you really want to operate on services unfiltered? (y/n): ");
    expect(await service.pid()).toBeUndefined();
  });

  it("the service data plugin selects nodes in -S", async () => {
    const run = ok(await phobos(["find", "-S", `service('${service.name}').status=stopped`]));
    expect(run.stdout.split("\n").filter(Boolean).sort()).toEqual(NODES);
  });

  it("a service name carrying a shell command is refused by both mcos, and nothing runs", async () => {
    const marker = join(fleet.dir, "injected");
    const ours = await phobos(["service", `ssh;touch ${marker}`, "restart", "--yes", "--np"]);
    expect(ours.code).not.toBe(0);
    expect(`${ours.stdout}${ours.stderr}`).toContain("Cannot validate input service");
    const ruby = await fleet.mco(["rpc", "service", "restart", `service=ssh;touch ${marker}`, "--np"], {
      configFile: rubyConfig,
    });
    expect(ruby.code).not.toBe(0);
    expect(`${ruby.stdout}${ruby.stderr}`).toContain("Cannot validate input service");
    expect(existsSync(marker)).toBe(false);
    await rm(marker, { force: true });
  });
});
