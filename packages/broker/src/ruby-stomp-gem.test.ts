import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useBrokers } from "./test-support/broker-fixture.js";

const SCRIPT = fileURLToPath(new URL("./__fixtures__/mcollective-stomp-gem.rb", import.meta.url));
const PROVISION = "run `sh tooling/scripts/provision.sh`";

/** The Ruby side is a requirement of the suite, not an option: fail loudly with the fix. */
function requireRubyStompGem(): void {
  const probe = spawnSync("ruby", ["-e", 'require "stomp"; print Stomp::Version::STRING'], {
    encoding: "utf8",
  });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `ruby with the stomp gem (Debian's ruby-stomp, installed with mcollective) is missing: ${PROVISION} (${
        probe.error?.message ?? probe.stderr.trim()
      })`,
    );
  }
}

function runRuby(port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ruby", [SCRIPT, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface GemFrame {
  command: string;
  headers: Record<string, string>;
  body_hex: string;
}

describe("the Ruby stomp gem (MCollective's STOMP client) through the broker", () => {
  const fixture = useBrokers();

  it("does MCollective's CONNECT/SUBSCRIBE/SEND with a temp-queue reply-to round trip", async () => {
    requireRubyStompGem();
    const broker = await fixture.broker({ users: [{ name: "mcollective", password: "marionette" }] });
    const { code, stdout, stderr } = await runRuby(broker.port);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      daemon_protocol: string;
      client_protocol: string;
      client_heartbeats: number;
      request: GemFrame;
      reply: GemFrame;
      directed: GemFrame;
    };
    expect([result.daemon_protocol, result.client_protocol]).toEqual(["1.0", "1.1"]);
    expect(result.client_heartbeats).toBe(30500);

    const requestBody = Buffer.from('\x04\bI"\tping\x06:\x06ET\x00\x00binary\x00', "latin1").toString("hex");
    expect(result.request.command).toBe("MESSAGE");
    expect(Object.keys(result.request.headers)).toEqual([
      "destination",
      "message-id",
      "redelivered",
      "mc_sender",
      "expiration",
      "reply-to",
      "content-type",
      "content-length",
    ]);
    expect(result.request.headers["reply-to"]).toMatch(/^\/reply-queue\/amq\.gen-/);
    expect(result.request.body_hex).toBe(requestBody);

    expect(result.reply.headers.subscription).toBe("/temp-queue/mcollective_reply_discovery");
    expect(result.reply.headers.destination).toBe(
      `/queue/${result.request.headers["reply-to"]?.slice("/reply-queue/".length)}`,
    );
    expect(result.reply.headers.mc_sender).toBe("node1");
    expect(result.reply.body_hex).toBe(
      Buffer.from('\x04\bI"\tpong\x06:\x06ET\x00', "latin1").toString("hex"),
    );

    expect(result.directed.headers.destination).toBe("/exchange/mcollective_directed/node1");
    expect(result.directed.headers["reply-to"]).not.toBe(result.request.headers["reply-to"]);
  });
});
