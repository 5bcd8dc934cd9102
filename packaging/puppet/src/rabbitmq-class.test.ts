/**
 * `phobos::rabbitmq` applied by real Puppet against the machine's RabbitMQ:
 * the first run creates the vhost, both users with their permissions and every
 * collective's exchanges; a second run changes nothing; a new password in the
 * hiera data is a change the next run makes. The set-up tool is the
 * workspace's `phobos-rabbitmq-setup` (the packaged one in the .deb tests).
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { adminOptionsFromEnv, RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";
import { afterAll, describe, expect, it } from "vitest";
import { createPuppetSite } from "./puppet-site.js";

const SETUP = resolve(import.meta.dirname, "../../../plugins/connector-rabbitmq/bin/phobos-rabbitmq-setup");
const admin = new RabbitMqAdmin(adminOptionsFromEnv());
const id = randomBytes(3).toString("hex");
const vhost = `/phobos-puppet-${id}`;
const users = { server: `phobos-puppet-srv-${id}`, client: `phobos-puppet-op-${id}` };
const site = createPuppetSite("phobos-puppet-rabbitmq");

function data(serverPassword: string): string {
  return [
    `phobos::broker_vhost: ${vhost}`,
    `phobos::broker_user: ${users.server}`,
    `phobos::broker_password: ${serverPassword}`,
    `phobos::broker_client_user: ${users.client}`,
    "phobos::broker_client_password: client-secret",
    "phobos::psk: unused-here",
    "phobos::collectives: [mcollective, web]",
    `phobos::rabbitmq::management_url: ${admin.url}`,
    `phobos::rabbitmq::admin_user: ${admin.username}`,
    `phobos::rabbitmq::admin_password: ${adminOptionsFromEnv().password ?? "guest"}`,
    `phobos::rabbitmq::setup_command: ${SETUP}`,
    "",
  ].join("\n");
}

afterAll(async () => {
  await admin.deleteVhost(vhost);
  await admin.deleteUser(users.server);
  await admin.deleteUser(users.client);
  site.remove();
});

describe("phobos::rabbitmq", () => {
  it("creates the site once, then changes nothing until the data changes", async () => {
    site.data(data("server-secret"));
    const first = await site.apply("include phobos::rabbitmq");
    expect(first.errors).toEqual([]);
    expect(first.status).toBe(2);
    expect(first.stdout).toContain(`Exec[phobos rabbitmq ${users.server}]/returns: executed successfully`);
    expect(first.stdout).toContain(`Exec[phobos rabbitmq ${users.client}]/returns: executed successfully`);

    expect(await admin.getVhost(vhost)).toBeDefined();
    // RabbitMQ also grants the admin that created the vhost; only ours matter here.
    const granted = (await admin.listVhostPermissions(vhost))
      .filter((p) => p.user !== admin.username)
      .map((p) => `${p.user} ${p.configure} ${p.write} ${p.read}`);
    expect(granted.sort()).toEqual([`${users.client} .* .* .*`, `${users.server} .* .* .*`]);
    for (const [name, type] of [
      ["mcollective_broadcast", "topic"],
      ["mcollective_directed", "direct"],
      ["web_broadcast", "topic"],
      ["web_directed", "direct"],
    ]) {
      expect((await admin.getExchange(vhost, name as string))?.type).toBe(type);
    }

    const second = await site.apply("include phobos::rabbitmq");
    expect(second.errors).toEqual([]);
    expect(second.status).toBe(0);

    site.data(data("rotated-secret"));
    const rotated = await site.apply("include phobos::rabbitmq");
    expect(rotated.errors).toEqual([]);
    expect(rotated.status).toBe(2);
    expect(rotated.stdout).toContain(`Exec[phobos rabbitmq ${users.server}]/returns: executed successfully`);
    expect(rotated.stdout).not.toContain(`Exec[phobos rabbitmq ${users.client}]`);
    expect((await site.apply("include phobos::rabbitmq")).status).toBe(0);
  });

  it("refuses a psk site without the key, naming the parameter", async () => {
    site.data(data("server-secret").replace("phobos::psk: unused-here\n", ""));
    const run = await site.apply("include phobos::rabbitmq");
    expect(run.status).not.toBe(0);
    expect(run.errors.join("\n")).toContain("phobos: securityprovider psk needs phobos::psk");
  });
});
