/**
 * The plugin author's path, end to end with the real tools: `mco plugin
 * generate` writes an agent, `mco plugin package` builds its .deb unedited,
 * dpkg-deb -I/-c read it, `dpkg -x` installs it into a temp root (never the
 * system), and a real mcollectived whose libdir is that root's plugin
 * directory loads the agent and answers `mco rpc` through its embedded
 * broker.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PHOBOS_MCO, PHOBOS_MCOLLECTIVED, writeClientConfig, writeServerConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePortIn, releasePortRange } from "./ports.js";
import { run, runOk, type Started, start, waitFor } from "./processes.js";

const LIBDIR = "/usr/share/mcollective/plugins";
let dir: string;
let deb: string;
let daemon: Started | undefined;
let clientConfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "release-deb-"));
  runOk(PHOBOS_MCO, ["plugin", "generate", "agent", "weather", "actions=forecast"], { cwd: dir });
  const built = runOk(PHOBOS_MCO, ["plugin", "package", "weather", "--revision", "2"], { cwd: dir });
  deb = join(dir, "phobos-agent-weather_0.1.0-2_all.deb");
  expect(built.stdout).toContain(`Created package ${deb}\n`);
});

afterAll(async () => {
  await daemon?.stop();
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
    const libdir = join(root, LIBDIR);
    const { from, to } = releasePortRange();
    const port = await freePortIn(from + 50, to);
    const user = { name: "mcollective", password: randomBytes(8).toString("hex") };
    const broker = {
      connector: "rabbitmq" as const,
      vhost: "/mcollective",
      pool: [{ host: "127.0.0.1", port, user: user.name, password: user.password }],
    };
    const security = { provider: "psk" as const, psk: randomBytes(12).toString("hex") };
    const home = join(dir, "node");
    const serverConfig = await writeServerConfig(home, {
      identity: "deb-node",
      broker,
      security,
      libdir: [libdir],
      loglevel: "info",
      extra: {
        "plugin.broker.enable": "1",
        "plugin.broker.bind": "127.0.0.1",
        "plugin.broker.port": String(port),
        "plugin.broker.users": `${user.name}:${user.password}`,
      },
    });
    clientConfig = await writeClientConfig(join(dir, "client"), {
      identity: "deb-client",
      broker,
      security,
      libdir: [libdir],
    });
    daemon = start(PHOBOS_MCOLLECTIVED, ["--config", serverConfig, "--no-daemonize"]);
    const log = join(home, "mcollectived.log");
    await waitFor("mcollectived to start", async () =>
      /Phobos mcollectived ready as deb-node/.test(await readFile(log, "utf8")) ? true : undefined,
    ).catch(async (err: Error) => {
      throw new Error(
        `${err.message}\n--- output ---\n${daemon?.output()}\n--- log ---\n${await readFile(log, "utf8").catch(() => "")}`,
      );
    });

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
