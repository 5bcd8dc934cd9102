/**
 * A DDL timeout stops the work, on the real daemon: the client hears status
 * 5 in MCollective's words, and the command the action ran and that
 * command's own child are gone; an action that blocks the event loop is
 * named in one WARN in the daemon's log. The agent is written into a libdir
 * at test time so it can use this tree's `runCommand`, the very module the
 * daemon loads.
 */
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { emptyFilter, type ReplyEnvelope, rpcReplyFromRuby } from "@phobos/core";
import { phobosAppDir, type RubyFleet, startRubyFleet, writeServerConfig } from "@phobos/interop";
import { isRunning } from "@phobos/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Daemon, eventually, logLines, startDaemon, waitForLog } from "./test-support/daemon.js";
import { openFleetClient } from "./test-support/fleet.js";
import { type RawClient, simpleRpc } from "./test-support/raw-client.js";

// The daemon imports @phobos/server through its own dependencies (in the form under test): the same file, one module.
const CORE_SERVER = realpathSync(
  join(phobosAppDir("mcollectived"), "node_modules/@phobos/server/dist/index.js"),
);

const AGENT = `// Written by action-timeout.e2e.test.ts.
import { runCommand } from ${JSON.stringify(pathToFileURL(CORE_SERVER).href)};
const brand = Symbol.for("phobos.plugin");
function spin(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {}
}
export default Object.freeze({
  [brand]: { type: "agent", api: 1 },
  type: "agent",
  name: "hang",
  create: () => ({
    actions: {
      async family(request) {
        const pids = String(request.data.pids);
        await runCommand("sh", ["-c", \`sleep 300 & echo $! >> \${pids}; echo $$ >> \${pids}; exec sleep 300\`], {
          timeoutMs: 600000,
        });
      },
      spin() {
        spin(2500);
      },
    },
  }),
});
`;

const action = (name: string) => `    ${name}: {
      action: "${name}",
      description: "${name}",
      display: "always",
      input: {
        pids: { prompt: "Pids", description: "file", type: "string", validation: /./, optional: true, maxlength: 0 },
      },
      output: {},
    },`;
const DDL = `export default {
  kind: "agent",
  metadata: {
    name: "hang",
    description: "Actions that outlive their timeout",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0.0",
    url: "https://example.com/phobos",
    timeout: 3,
  },
  actions: {
${action("family")}
${action("spin")}
  },
};
`;

const PACKAGE = JSON.stringify({
  name: "phobos-agent-hang",
  version: "1.0.0",
  private: true,
  type: "module",
  keywords: ["mcollective-plugin"],
  mcollective: {
    api: 1,
    plugins: [{ type: "agent", name: "hang", entry: "./agent.js", ddl: "./ddl.js" }],
  },
});

let fleet: RubyFleet;
let client: RawClient;
let daemon: Daemon;
let log: string;
let dir: string;
const identity = "hang1";

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-action-timeout", nodes: [] });
  client = await openFleetClient(fleet, "action-timeout-client");
  dir = join(fleet.dir, "nodes", identity);
  const plugin = join(dir, "libdir", "phobos-agent-hang");
  await mkdir(plugin, { recursive: true });
  await writeFile(join(plugin, "package.json"), PACKAGE);
  await writeFile(join(plugin, "agent.js"), AGENT);
  await writeFile(join(plugin, "ddl.js"), DDL);
  const config = await writeServerConfig(dir, {
    ...fleet.serverConfigOptions({ identity, facts: { role: "test" } }),
    libdir: [join(dir, "libdir")],
  });
  log = join(dir, "mcollectived.log");
  daemon = startDaemon(["--config", config, "--no-daemonize"]);
  await waitForLog(log, new RegExp(`Phobos mcollectived ready as ${identity} .*\\bhang\\b`), {
    timeoutMs: 30_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${daemon.output()}`);
  });
});

afterAll(async () => {
  await client?.close();
  await daemon?.kill();
  await fleet?.dispose();
});

/** A directed request to the node and its decoded reply, however long a loaded machine takes. */
async function call(action: string, data: Record<string, unknown> = {}) {
  const requestid = await client.send({
    agent: "hang",
    body: simpleRpc("hang", action, data),
    filter: { ...emptyFilter(), agent: ["hang"] },
    nodes: [identity],
  });
  const [reply] = await client.waitReplies(requestid, 1, 60_000);
  return rpcReplyFromRuby((reply as ReplyEnvelope).body);
}

it("an action past its DDL timeout: status 5 in MCollective's words, and its command and the command's child are gone", async () => {
  const pids = join(dir, "family.pids");
  const reply = await call("family", { pids });
  expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
    code: 5,
    msg: "hang#family did not finish within its 3s timeout",
  });
  const written = existsSync(pids) ? (await readFile(pids, "utf8")).trim().split("\n") : [];
  expect(written, "the shell wrote its pid and its child's before the timeout").toHaveLength(2);
  for (const pid of written.map(Number)) {
    await eventually(() => (isRunning(pid) ? undefined : true), `process ${pid} gone`, 40_000);
  }
  await waitForLog(log, /hang#family failed: hang#family did not finish within its 3s timeout/);
});

it("an action that blocks the event loop is named in one WARN, and the daemon answers again afterwards", async () => {
  const reply = await call("spin");
  // It blocked past its timeout, but nothing could fire while it held the loop: it finished.
  expect(reply.statuscode).toBe(0);
  await waitForLog(log, /WARN -- : hang#spin blocked the event loop for \d+\.\ds: /);
  // Give the watch's late timer its chance: it must not report the same stall again.
  await sleep(1_000);
  expect(await logLines(log, /blocked the event loop/)).toHaveLength(1);
  const ping = await client.rpc(identity, "rpcutil", "ping");
  expect(ping.statuscode).toBe(0);
});
