/**
 * The settings both MCollective STOMP connectors share, read as MCollective
 * read them: the broker pool (with STOMP_USER/STOMP_PASSWORD and the TLS
 * keys), the reconnect policy and the heart-beat, every bad value a
 * ConfigError naming its key.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, createLogger, memorySink, PluginSettings } from "@phobos/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHeartbeat, readPool, readReconnectPolicy } from "./pool.js";

const settings = (values: Record<string, string>) =>
  new PluginSettings("rabbitmq", new Map(Object.entries(values)), (key) =>
    key in values ? { file: "/etc/mcollective/server.cfg", line: Object.keys(values).indexOf(key) + 1 } : {},
  );
const log = () => {
  const sink = memorySink("debug");
  return { log: createLogger(sink), lines: () => sink.lines.map((l) => `${l.level} ${l.message}`) };
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-stomp-pool-"));
  for (const f of ["cert.pem", "key.pem", "ca.pem"]) await writeFile(join(dir, f), `-----${f}-----\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readPool", () => {
  it("reads every broker of the pool, in order, with MCollective's default port", () => {
    const pool = readPool(
      settings({
        "pool.size": "2",
        "pool.1.host": "mq1",
        "pool.1.user": "mcollective",
        "pool.1.password": "secret",
        "pool.2.host": "mq2",
        "pool.2.port": "61614",
      }),
      {},
      log().log,
      "RABBITMQ",
    );
    expect(pool).toEqual([
      { host: "mq1", port: 61613, login: "mcollective", passcode: "secret" },
      { host: "mq2", port: 61614, login: "", passcode: "" },
    ]);
  });

  it("STOMP_USER and STOMP_PASSWORD override every broker's login, as for the Ruby connectors", () => {
    const [host] = readPool(
      settings({ "pool.size": "1", "pool.1.host": "mq1", "pool.1.user": "u", "pool.1.password": "p" }),
      { STOMP_USER: "envuser", STOMP_PASSWORD: "envpass" },
      log().log,
      "RABBITMQ",
    );
    expect(host).toMatchObject({ login: "envuser", passcode: "envpass" });
  });

  it("names the key that is missing or wrong", () => {
    const read = (values: Record<string, string>) => () =>
      readPool(settings(values), {}, log().log, "RABBITMQ");
    expect(read({})).toThrow(ConfigError);
    expect(read({})).toThrow(
      "plugin.rabbitmq.pool.size: is not set: give the number of brokers in the pool (and pool.1.host …)",
    );
    expect(read({ "pool.size": "2", "pool.1.host": "mq1" })).toThrow(
      "plugin.rabbitmq.pool.2.host: is required by the rabbitmq plugin but not set",
    );
    expect(read({ "pool.size": "one" })).toThrow(
      "/etc/mcollective/server.cfg:1: plugin.rabbitmq.pool.size: 'one' is not a whole number",
    );
    expect(read({ "pool.size": "1", "pool.1.host": "mq1", "pool.1.port": "http" })).toThrow(
      "plugin.rabbitmq.pool.1.port: 'http' is not a whole number",
    );
  });

  it("ssl: reads certificate, key and CAs (the MCOLLECTIVE_*_POOLn_SSL_* variables win)", () => {
    const [host] = readPool(
      settings({
        "pool.size": "1",
        "pool.1.host": "mq1",
        "pool.1.ssl": "1",
        "pool.1.ssl.cert": "/nonexistent/cert.pem",
        "pool.1.ssl.key": join(dir, "key.pem"),
        "pool.1.ssl.ca": `${join(dir, "ca.pem")},${join(dir, "ca.pem")}`,
      }),
      { MCOLLECTIVE_RABBITMQ_POOL1_SSL_CERT: join(dir, "cert.pem") },
      log().log,
      "RABBITMQ",
    );
    expect(host?.tls).toMatchObject({ rejectUnauthorized: true });
    expect(String(host?.tls?.cert)).toBe("-----cert.pem-----\n");
    expect(host?.tls?.ca).toHaveLength(2);
  });

  it("ssl: a missing file is a ConfigError naming it, unless ssl.fallback, which warns and goes unverified", () => {
    const values = {
      "pool.size": "1",
      "pool.1.host": "mq1",
      "pool.1.ssl": "1",
      "pool.1.ssl.cert": join(dir, "cert.pem"),
      "pool.1.ssl.key": join(dir, "key.pem"),
      "pool.1.ssl.ca": join(dir, "missing-ca.pem"),
    };
    expect(() => readPool(settings(values), {}, log().log, "RABBITMQ")).toThrow(
      `plugin.rabbitmq.pool.1.ssl: cannot find CA file ${join(dir, "missing-ca.pem")}`,
    );
    const { log: logger, lines } = log();
    const [host] = readPool(settings({ ...values, "pool.1.ssl.fallback": "1" }), {}, logger, "RABBITMQ");
    expect(host?.tls).toEqual({ rejectUnauthorized: false });
    expect(lines()).toEqual([
      `warn Failed to set full SSL verified mode, falling back to unverified: plugin.rabbitmq.pool.1.ssl: cannot find CA file ${join(dir, "missing-ca.pem")}`,
    ]);
  });
});

describe("readReconnectPolicy", () => {
  it("has MCollective's defaults", () => {
    expect(readReconnectPolicy(settings({}))).toEqual({
      initialDelayMs: 10,
      multiplier: 2,
      maxDelayMs: 30_000,
      maxAttempts: 0,
      exponential: true,
    });
  });

  it("reads every key, and refuses a value that is not a number", () => {
    expect(
      readReconnectPolicy(
        settings({
          initial_reconnect_delay: "0.5",
          back_off_multiplier: "3",
          max_reconnect_delay: "60",
          max_reconnect_attempts: "5",
          use_exponential_back_off: "n",
        }),
      ),
    ).toEqual({ initialDelayMs: 500, multiplier: 3, maxDelayMs: 60_000, maxAttempts: 5, exponential: false });
    expect(() => readReconnectPolicy(settings({ back_off_multiplier: "twice" }))).toThrow(
      "plugin.rabbitmq.back_off_multiplier: 'twice' is not a number",
    );
  });
});

describe("readHeartbeat", () => {
  it("none by default: STOMP 1.0 only", () => {
    expect(readHeartbeat(settings({}), log().log)).toEqual({ heartbeatMs: 0, acceptVersion: ["1.0"] });
  });

  it("at least 30 s, with a warning, and STOMP 1.1 (falling back to 1.0 unless told not to)", () => {
    const { log: logger, lines } = log();
    expect(readHeartbeat(settings({ heartbeat_interval: "10" }), logger)).toEqual({
      heartbeatMs: 30_000,
      acceptVersion: ["1.1", "1.0"],
    });
    expect(lines()).toEqual(["warn Connection heartbeat is set to 10, forcing to minimum value of 30s"]);
    expect(readHeartbeat(settings({ heartbeat_interval: "45", stomp_1_0_fallback: "0" }), logger)).toEqual({
      heartbeatMs: 45_000,
      acceptVersion: ["1.1"],
    });
  });
});
