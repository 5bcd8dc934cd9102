import { ConfigError, PluginSettings } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_EXPIRE_AFTER, DEFAULT_STALE_AFTER, redact, registrySettings } from "./settings.js";

const read = (values: Record<string, string>, prefix = "registration") =>
  registrySettings(
    new PluginSettings(prefix, new Map(Object.entries(values)), () => ({ file: "server.cfg", line: 7 })),
  );

describe("registrySettings", () => {
  it("takes a file path as SQLite and applies the documented defaults", () => {
    expect(read({ database: "/var/lib/mcollective/registry.db" })).toEqual({
      database: { kind: "sqlite", path: "/var/lib/mcollective/registry.db" },
      staleAfter: DEFAULT_STALE_AFTER,
      expireAfter: DEFAULT_EXPIRE_AFTER,
      history: 10,
      queueSize: 10_000,
      batchSize: 500,
      flushInterval: 1,
      maxSize: 0,
    });
  });

  it("takes postgres:// and postgresql:// URLs as PostgreSQL", () => {
    expect(read({ database: "postgres://reg@db/registry" }).database).toEqual({
      kind: "postgres",
      url: "postgres://reg@db/registry",
    });
    expect(read({ database: "postgresql://db/registry" }).database.kind).toBe("postgres");
  });

  it.each([
    [{}, "plugin.registration.database: is required by the registration plugin but not set"],
    [
      { database: "mysql://db/x" },
      "plugin.registration.database: 'mysql://db/x' is neither a SQLite file path",
    ],
    [
      { database: "a.db", stale_after: "10m" },
      "server.cfg:7: plugin.registration.stale_after: '10m' is not a whole number",
    ],
    [
      { database: "a.db", stale_after: "0" },
      "plugin.registration.stale_after: must be greater than 0, got 0",
    ],
    [
      { database: "a.db", stale_after: "600", expire_after: "600" },
      "plugin.registration.expire_after: (600 s) must be longer than plugin.registration.stale_after (600 s)",
    ],
    [
      { database: "a.db", queue_size: "10", batch_size: "20" },
      "plugin.registration.batch_size: (20) must not exceed plugin.registration.queue_size (10)",
    ],
    [
      { database: "postgres://db/x", max_size: "1000" },
      "plugin.registration.max_size: bounds a SQLite file only",
    ],
  ])("refuses %j with a ConfigError naming the key", (values, message) => {
    expect(() => read(values)).toThrow(ConfigError);
    expect(() => read(values)).toThrow(message);
  });

  it("names the key under the reader's own prefix", () => {
    expect(() => read({ database: "a.db", history: "x" }, "registry")).toThrow("plugin.registry.history:");
  });

  it("hides a URL's password in messages", () => {
    expect(redact("postgres://reg:s3cret@db:5432/registry")).toBe("postgres://reg:***@db:5432/registry");
    expect(redact("postgres://db/registry")).toBe("postgres://db/registry");
  });
});
