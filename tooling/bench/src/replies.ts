/**
 * bench:replies — how many replies per second the client turns into RPC
 * results: the psk security plugin's decode (Marshal envelope, hash check,
 * Marshal body) and the SimpleRPC result, on the same wire bytes for both.
 * The replies are made by Ruby MCollective's own psk plugin (ruby-replies.rb
 * make), then processed by Phobos here and by Ruby's client classes there.
 *
 *   pnpm --filter @phobos/bench run bench:replies [--seconds 2] [--count 1000]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pluginContextFor } from "@phobos/client";
import { consoleSink, createLogger, createPlugin, loadConfig, rpcReplyFromRuby } from "@phobos/core";
import { fleetRegistry } from "@phobos/fleet-sim";
import { rubyEnv, writeClientConfig } from "@phobos/interop";
import { fmt, ratio, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "2" }, count: { type: "string", default: "1000" } },
});
const seconds = Number(values.seconds);
const count = Number(values.count);
const SCRIPT = fileURLToPath(new URL("../scripts/ruby-replies.rb", import.meta.url));

function ruby(args: string[], input?: string): string {
  const res = spawnSync("ruby", [SCRIPT, ...args], {
    env: rubyEnv(),
    encoding: "utf8",
    maxBuffer: 1 << 30,
    ...(input === undefined ? {} : { input }),
  });
  if (res.status !== 0) throw new Error(`ruby-replies.rb ${args.join(" ")} failed:\n${res.stderr}`);
  return res.stdout;
}

const dir = await mkdtemp(join(tmpdir(), "phobos-bench-replies-"));
try {
  const clientConfig = await writeClientConfig(dir, {
    identity: "phobos-bench-client",
    broker: {
      connector: "rabbitmq",
      vhost: "/",
      pool: [{ host: "127.0.0.1", port: 61613, user: "u", password: "p" }],
    },
    security: { provider: "psk", psk: randomBytes(8).toString("hex") },
  });
  const wires = ruby([clientConfig, "make", String(count)]);
  const byKind = new Map<string, Uint8Array[]>();
  for (const line of wires.trim().split("\n")) {
    const [kind, b64] = line.split(" ") as [string, string];
    const list = byKind.get(kind) ?? [];
    list.push(Buffer.from(b64, "base64"));
    byKind.set(kind, list);
  }

  const config = loadConfig(clientConfig);
  const log = createLogger(consoleSink("error"));
  const registry = await fleetRegistry(config, [], log);
  const security = await createPlugin(
    await registry.require("security", "psk"),
    pluginContextFor(config, "security", "psk", { log, mode: "client" }),
  );
  let sink = 0;
  const processReply = (wire: Uint8Array) => {
    const reply = security.decodeReply(wire);
    const result = rpcReplyFromRuby(reply.body);
    sink += result.statuscode + reply.senderid.length;
  };

  const phobos = new Map<string, number>();
  for (const [kind, list] of byKind) {
    for (const w of list) processReply(w); // warm-up
    let best = 0;
    for (let slice = 0; slice < 5; slice++) {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < (seconds * 1000) / 5) {
        for (const w of list) processReply(w);
        n += list.length;
        t = performance.now();
      }
      best = Math.max(best, (n * 1000) / (t - t0));
    }
    phobos.set(kind, best);
  }
  if (sink < 0) console.log(sink);

  const rubyRates = new Map<string, number>();
  for (const line of ruby([clientConfig, "decode", String(seconds)], wires)
    .trim()
    .split("\n")) {
    const [kind, rate] = line.split(" ") as [string, string];
    rubyRates.set(kind, Number(rate));
  }

  console.log(
    `\n## Client reply processing (psk decode + SimpleRPC result; best of 5 slices, ${seconds} s per kind)\n`,
  );
  console.log(
    table(
      ["reply", "bytes", "Phobos replies/s", "Ruby replies/s", "Phobos/Ruby"],
      [...byKind].map(([kind, list]) => {
        const p = phobos.get(kind);
        const r = rubyRates.get(kind);
        return [kind, String(list[0]?.length ?? 0), fmt(p, 0), fmt(r, 0), ratio(r, p)];
      }),
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
