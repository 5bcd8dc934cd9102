import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { configFromText } from "@phobos/core";
import { afterAll, describe, expect, it } from "vitest";
import { planFromConfig } from "./cli.js";
import { adminOptionsFromEnv, RabbitMqAdmin } from "./rabbitmq-admin.js";

const BIN = resolve(import.meta.dirname, "../../bin/phobos-rabbitmq-setup");
const admin = new RabbitMqAdmin(adminOptionsFromEnv());
const name = `phobos-setup-cli-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await admin.deleteVhost(`/${name}`);
  await admin.deleteUser(name);
});

describe("planFromConfig", () => {
  it("takes vhost, login and collectives from the rabbitmq settings, flags first", () => {
    const config = configFromText(
      [
        "collectives = mcollective,eu",
        "plugin.rabbitmq.vhost = /site",
        "plugin.rabbitmq.pool.size = 1",
        "plugin.rabbitmq.pool.1.host = b1",
        "plugin.rabbitmq.pool.1.user = mco",
        "plugin.rabbitmq.pool.1.password = s3cret",
      ].join("\n"),
    );
    expect(planFromConfig({}, config)).toEqual({
      vhost: "/site",
      user: "mco",
      password: "s3cret",
      collectives: ["mcollective", "eu"],
    });
    expect(planFromConfig({ vhost: "/x", collectives: "a, b" }, config)).toMatchObject({
      vhost: "/x",
      collectives: ["a", "b"],
    });
    expect(() => planFromConfig({})).toThrow(/no password: give --password/);
  });
});

describe("phobos-rabbitmq-setup", () => {
  it("creates the vhost, user and both exchanges of every collective from a config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-setup-"));
    const cfg = join(dir, "server.cfg");
    writeFileSync(
      cfg,
      [
        "collectives = mcollective,web",
        "main_collective = mcollective",
        `plugin.rabbitmq.vhost = /${name}`,
        "plugin.rabbitmq.pool.size = 1",
        "plugin.rabbitmq.pool.1.host = 127.0.0.1",
        `plugin.rabbitmq.pool.1.user = ${name}`,
        "plugin.rabbitmq.pool.1.password = pw",
      ].join("\n"),
    );
    const run = spawnSync(process.execPath, [BIN, "-c", cfg], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`vhost /${name}: user ${name}`);
    const exchanges = await fetch(`${admin.url}/api/exchanges/${encodeURIComponent(`/${name}`)}`, {
      headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
    }).then((r) => r.json() as Promise<{ name: string; type: string }[]>);
    const ours = exchanges
      .filter((e) => /_(broadcast|directed)$/.test(e.name))
      .map((e) => `${e.name}:${e.type}`);
    expect(ours.sort()).toEqual([
      "mcollective_broadcast:topic",
      "mcollective_directed:direct",
      "web_broadcast:topic",
      "web_directed:direct",
    ]);
    // Running it again changes nothing and still succeeds.
    expect(spawnSync(process.execPath, [BIN, "-c", cfg], { encoding: "utf8" }).status).toBe(0);
  });

  it("--check changes nothing and names what is missing; exit 0 once in place", async () => {
    const checked = `${name}-check`;
    const args = [BIN, "--vhost", `/${checked}`, "--user", checked, "--collectives", "mcollective"];
    const env = { ...process.env, PHOBOS_RABBITMQ_PASSWORD: "first" };
    try {
      const before = spawnSync(process.execPath, [...args, "--check"], { encoding: "utf8", env });
      expect(before.status).toBe(1);
      expect(before.stdout).toBe(`missing: vhost /${checked} does not exist\n`);
      expect(await admin.getVhost(`/${checked}`)).toBeUndefined();

      expect(spawnSync(process.execPath, args, { encoding: "utf8", env }).status).toBe(0);
      const inPlace = spawnSync(process.execPath, [...args, "--check"], { encoding: "utf8", env });
      expect(inPlace.stdout).toBe(`vhost /${checked}: in place for user ${checked}\n`);
      expect(inPlace.status).toBe(0);

      // A new password in the configuration is a change to make; so is a lost exchange.
      await admin.deleteExchange(`/${checked}`, "mcollective_directed");
      const changed = { ...process.env, PHOBOS_RABBITMQ_PASSWORD: "second" };
      const drift = spawnSync(process.execPath, [...args, "--check"], { encoding: "utf8", env: changed });
      expect(drift.status).toBe(1);
      expect(drift.stdout.split("\n").filter(Boolean)).toEqual([
        `missing: user ${checked} has another password`,
        "missing: exchange mcollective_directed does not exist",
      ]);
      expect(spawnSync(process.execPath, args, { encoding: "utf8", env: changed }).status).toBe(0);
      expect(
        spawnSync(process.execPath, [...args, "--check"], { encoding: "utf8", env: changed }).status,
      ).toBe(0);
    } finally {
      await admin.deleteVhost(`/${checked}`);
      await admin.deleteUser(checked);
    }
  });

  it("says what is wrong with one line and a non-zero exit", () => {
    const run = spawnSync(process.execPath, [BIN, "--bogus"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^phobos-rabbitmq-setup: Unknown option '--bogus'/);
    const down = spawnSync(process.execPath, [BIN, "--password", "x", "--api", "http://127.0.0.1:9"], {
      encoding: "utf8",
    });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(
      /http:\/\/127\.0\.0\.1:9\/api\/.* failed: cannot reach the RabbitMQ management API/,
    );
  });
});
