import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBrokerConfig, parseBrokerLimit, readBrokerConfig } from "./config-file.js";
import { BrokerConfigError } from "./errors.js";

describe("broker config file", () => {
  it("reads MCollective-style key = value lines", () => {
    const options = parseBrokerConfig(
      [
        "# the embedded broker",
        "bind = 0.0.0.0",
        "port=61614",
        "",
        "user = mcollective:marionette",
        "user = admin:pass:with:colons",
        "vhost = /mcollective",
        "exchange = mcollective_broadcast",
        "exchange = mcollective_directed:direct",
        "strict_exchanges = yes",
        "tls.cert = /etc/phobos/broker.pem",
        "tls.key = /etc/phobos/broker.key",
        "tls.ca = /etc/phobos/ca.pem",
        "tls.verify_client = true",
        "max_frame_size = 8m",
        "max_pending_bytes = 512k",
        "max_connections = 100",
        "max_preauth_connections = 64",
        "max_preauth_per_address = 8",
        "connect_rate_per_address = 5",
        "connect_burst_per_address = 20",
        "heartbeat_min = 5000",
      ].join("\n"),
      "broker.cfg",
    );
    expect(options).toEqual({
      host: "0.0.0.0",
      port: 61614,
      users: [
        { name: "mcollective", password: "marionette" },
        { name: "admin", password: "pass:with:colons" },
      ],
      vhosts: ["/mcollective"],
      exchanges: [
        { name: "mcollective_broadcast", type: "topic" },
        { name: "mcollective_directed", type: "direct" },
      ],
      strictExchanges: true,
      tls: {
        certFile: "/etc/phobos/broker.pem",
        keyFile: "/etc/phobos/broker.key",
        caFile: "/etc/phobos/ca.pem",
        verifyClient: true,
      },
      limits: {
        maxFrameSize: 8 * 1024 * 1024,
        maxPendingBytes: 512 * 1024,
        maxConnections: 100,
        maxPreauthConnections: 64,
        maxPreauthPerAddress: 8,
        connectRatePerAddress: 5,
        connectBurstPerAddress: 20,
        heartbeatMinMs: 5000,
      },
    });
  });

  it.each([
    ["port = 99999", "broker.cfg:2: port: '99999' is not a port number"],
    ["user = nopassword", "broker.cfg:2: user: 'nopassword' is not NAME:PASSWORD"],
    ["max_frame_size = lots", "broker.cfg:2: max_frame_size: 'lots' is not a size"],
    ["max_connections = -1", "broker.cfg:2: max_connections: '-1' is not a non-negative integer"],
    ["strict_exchanges = maybe", "broker.cfg:2: strict_exchanges: 'maybe' is not a boolean"],
    ["exchange = x:headers", "broker.cfg:2: exchange: 'x:headers' is not NAME[:TYPE]"],
    ["colour = blue", "broker.cfg:2: unknown key 'colour'"],
    ["just words", "broker.cfg:2: expected 'key = value', got 'just words'"],
    ["bind =", "broker.cfg:2: bind: has no value"],
  ])("rejects %s with file:line", (line, message) => {
    const parse = () => parseBrokerConfig(`# ok\n${line}\n`, "broker.cfg");
    expect(parse).toThrow(BrokerConfigError);
    expect(parse).toThrow(message);
  });

  it("parses one limit by its config key for hosts with their own config", () => {
    expect(parseBrokerLimit("max_preauth_connections", "300")).toEqual(["maxPreauthConnections", 300]);
    expect(parseBrokerLimit("max_frame_size", "2m")).toEqual(["maxFrameSize", 2 * 1024 * 1024]);
    expect(() => parseBrokerLimit("max_preauth_per_address", "0")).toThrow(
      "broker limit maxPreauthPerAddress must be a number >= 1, got 0",
    );
    expect(() => parseBrokerLimit("connect_rate_per_address", "fast")).toThrow(
      "'fast' is not a non-negative integer",
    );
    expect(() => parseBrokerLimit("max_sockets", "1")).toThrow("unknown broker limit 'max_sockets'");
  });

  it("wants both tls.cert and tls.key", () => {
    expect(() => parseBrokerConfig("tls.cert = a.pem", "b.cfg")).toThrow(
      "b.cfg: tls.cert and tls.key must both be set",
    );
  });

  it("reads from disk and names a missing file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phobos-broker-"));
    try {
      const file = join(dir, "broker.cfg");
      await writeFile(file, "port = 1234\n");
      expect(await readBrokerConfig(file)).toEqual({ port: 1234 });
      await expect(readBrokerConfig(join(dir, "missing.cfg"))).rejects.toThrow(/missing\.cfg: cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
