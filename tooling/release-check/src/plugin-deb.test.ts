/**
 * The plugin author's path, end to end with the real tools: `mco plugin
 * generate` writes an agent, `mco plugin package` builds its .deb unedited,
 * dpkg-deb -I/-c read it, `dpkg -x` installs it into a temp root (never the
 * system), and a real mcollectived whose libdir is that root's plugin
 * directory loads the agent and answers `mco rpc` through its embedded
 * broker.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { phobosBin } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Site, startSite } from "./node-with-broker.js";
import { releasePortRange } from "./ports.js";
import { run, runOk } from "./processes.js";

// release-check covers Node 20, the engines floor: the workspace bins on the machine's Node, whatever PHOBOS_UNDER_TEST says.
const PHOBOS_MCO = phobosBin("mco", "workspace");
const PHOBOS_MCOLLECTIVED = phobosBin("mcollectived", "workspace");

const LIBDIR = "/usr/share/phobos/plugins";
let dir: string;
let deb: string;
let site: Site | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "release-deb-"));
  runOk(PHOBOS_MCO, ["plugin", "generate", "agent", "weather", "actions=forecast"], { cwd: dir });
  const built = runOk(PHOBOS_MCO, ["plugin", "package", "weather", "--revision", "2"], { cwd: dir });
  deb = join(dir, "phobos-agent-weather_0.1.0-2_all.deb");
  expect(built.stdout).toContain(`Created package ${deb}\n`);
});

afterAll(async () => {
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a generated agent's .deb", () => {
  it("is a Debian package dpkg-deb reads, with the package under the libdir", () => {
    const info = runOk("dpkg-deb", ["-I", deb]).stdout;
    expect(info).toContain(" Package: phobos-agent-weather\n");
    expect(info).toContain(" Version: 0.1.0-2\n");
    expect(info).toContain(" Architecture: all\n");
    const contents = runOk("dpkg-deb", ["-c", deb]).stdout;
    for (const file of ["package.json", "agent.js", "ddl.json"]) {
      expect(contents).toContain(`.${LIBDIR}/phobos-agent-weather/${file}\n`);
    }
  });

  it("installed with dpkg -x, is loaded by a real mcollectived from that libdir and answers mco rpc", async () => {
    const root = join(dir, "root");
    runOk("dpkg", ["-x", deb, root]);
    const { from, to } = releasePortRange();
    site = await startSite({
      mcollectived: PHOBOS_MCOLLECTIVED,
      dir,
      identity: "deb-node",
      libdir: join(root, LIBDIR),
      ports: { from: from + 50, to },
    });
    const clientConfig = site.clientConfig;

    const agents = runOk(PHOBOS_MCO, [
      "rpc",
      "rpcutil",
      "agent_inventory",
      "-I",
      "deb-node",
      "-c",
      clientConfig,
      "-j",
    ]);
    const inventory = JSON.parse(agents.stdout) as { data: { agents: { agent: string }[] } }[];
    expect(inventory[0]?.data.agents.map((a) => a.agent)).toContain("weather");

    const reply = run(PHOBOS_MCO, [
      "rpc",
      "weather",
      "forecast",
      "name=athens",
      "-I",
      "deb-node",
      "-c",
      clientConfig,
    ]);
    expect(reply.stderr).toBe("");
    expect(reply.status).toBe(0);
    expect(reply.stdout).toMatch(/deb-node\s+\n\s+Message: forecast athens\n/);
    expect(reply.stdout).toContain("Finished processing 1 / 1 hosts");
  });
});
