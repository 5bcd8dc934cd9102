/**
 * The whole module on the Phobos Debian packages, as a site would run it: one
 * `puppet apply` installs phobos-broker, phobos-mcollectived and phobos-mco,
 * writes broker.cfg, server.cfg, client.cfg, facts.yaml and the facts cron
 * from hiera, starts the broker and the daemon through their init scripts,
 * and the installed `phobos-mco ping` sees the daemon. A second apply changes
 * nothing. Everything is purged afterwards.
 *
 * The .debs come from `phobos-ship` (tooling/ship/out, turbo task
 * `@phobos/ship#package`); installing them takes the machine-wide lock the
 * package install test takes too, so the two never hold dpkg at once.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPuppetSite } from "./puppet-site.js";
import { installedDebs, type SystemPackages } from "./system-packages.js";

// Ports 44800-44899 are this package's.
const BROKER_PORT = 44801;
const identity = `puppet-node-${randomBytes(3).toString("hex")}`;
const site = createPuppetSite("phobos-puppet-debian");
let packages: SystemPackages | undefined;

const DATA = [
  "phobos::broker_hosts: [127.0.0.1]",
  `phobos::broker_port: ${BROKER_PORT}`,
  "phobos::broker_user: mcollective",
  "phobos::broker_password: server-secret",
  "phobos::broker_client_user: operator",
  "phobos::broker_client_password: client-secret",
  "phobos::psk: puppet-test-psk",
  "phobos::broker_heartbeat_interval: 0",
  "phobos::broker::bind: 127.0.0.1",
  `phobos::server::identity: ${identity}`,
  "phobos::server::registerinterval: 0",
  "",
].join("\n");

beforeAll(async () => {
  packages = await installedDebs();
}, 900_000);

afterAll(async () => {
  await packages?.release(["/etc/cron.d/phobos-facts", "/etc/phobos/facts.yaml"]);
  site.remove();
}, 900_000);

function ping(): string {
  try {
    return execFileSync("/usr/bin/phobos-mco", ["ping", "-c", "/etc/phobos/client.cfg"], {
      encoding: "utf8",
    });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? "");
  }
}

describe("the phobos module on the Debian packages", () => {
  it("installs, configures and starts a site from hiera; mco ping sees the daemon", async () => {
    site.data(DATA);
    const first = await site.apply("include phobos::broker, phobos::server, phobos::client");
    expect(first.errors).toEqual([]);
    expect(first.status).toBe(2);

    const server = readFileSync("/etc/phobos/server.cfg", "utf8");
    for (const line of [
      `identity = ${identity}`,
      "connector = rabbitmq",
      "plugin.rabbitmq.pool.size = 1",
      "plugin.rabbitmq.pool.1.host = 127.0.0.1",
      `plugin.rabbitmq.pool.1.port = ${BROKER_PORT}`,
      "plugin.rabbitmq.pool.1.user = mcollective",
      "plugin.rabbitmq.pool.1.password = server-secret",
      "plugin.rabbitmq.vhost = /mcollective",
      "securityprovider = psk",
      "plugin.psk = puppet-test-psk",
      "factsource = yaml",
      "plugin.yaml = /etc/phobos/facts.yaml",
      "libdir = /usr/share/phobos/plugins",
    ]) {
      expect(server.split("\n")).toContain(line);
    }
    const client = readFileSync("/etc/phobos/client.cfg", "utf8").split("\n");
    expect(client).toContain("plugin.rabbitmq.pool.1.user = operator");
    expect(client).toContain("plugin.rabbitmq.pool.1.password = client-secret");
    const broker = readFileSync("/etc/phobos/broker.cfg", "utf8").split("\n");
    expect(broker).toEqual(
      expect.arrayContaining([
        `port = ${BROKER_PORT}`,
        "user = mcollective:server-secret",
        "user = operator:client-secret",
        "exchange = mcollective_broadcast:topic",
        "exchange = mcollective_directed:direct",
      ]),
    );
    expect(readFileSync("/etc/cron.d/phobos-facts", "utf8")).toMatch(
      /^\*\/30 \* \* \* \* root \/usr\/bin\/facter -y > /m,
    );
    // facter's YAML of this host, seeded once for the yaml fact source.
    expect(readFileSync("/etc/phobos/facts.yaml", "utf8")).toMatch(/^os:$/m);

    // The daemon connects on its own schedule after its init script returns.
    let seen = "";
    for (let tries = 0; tries < 60 && !seen.includes(identity); tries++) seen = ping();
    expect(seen).toContain(identity);

    const second = await site.apply("include phobos::broker, phobos::server, phobos::client");
    expect(second.errors).toEqual([]);
    expect(second.status).toBe(0);
  });
});
