import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcollectiveExchanges, prepareMcollectiveVhost } from "./mcollective-vhost.js";
import { adminOptionsFromEnv, RabbitMqAdmin, RabbitMqAdminError } from "./rabbitmq-admin.js";

let admin: RabbitMqAdmin;
const created: { vhosts: string[]; users: string[] } = { vhosts: [], users: [] };

/** A port nothing listens on (just released by the kernel). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function uniqueName(): string {
  return `phobos-setup-test-${randomBytes(5).toString("hex")}`;
}

beforeAll(async () => {
  admin = new RabbitMqAdmin(adminOptionsFromEnv());
  // Fail loudly, naming the fix, when the management API is not there.
  await admin.overview().catch((err: Error) => {
    throw new Error(`${err.message}: run \`sh tooling/scripts/provision.sh\``);
  });
});

afterAll(async () => {
  // Safety net for failed assertions; the tests dispose of what they make themselves.
  await Promise.all([
    ...created.vhosts.map((v) => admin.deleteVhost(v)),
    ...created.users.map((u) => admin.deleteUser(u)),
  ]);
});

describe("RabbitMqAdmin errors", () => {
  it("name the method, URL, status and RabbitMQ's reason", async () => {
    const wrong = new RabbitMqAdmin({ ...adminOptionsFromEnv(), password: "wrong-password" });
    const error = await wrong.listVhosts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RabbitMqAdminError);
    expect(error).toMatchObject({ method: "GET", status: 401, reason: "Login failed" });
    expect((error as Error).message).toBe(`GET ${admin.url}/api/vhosts failed: HTTP 401: Login failed`);

    const vhost = `/${uniqueName()}`;
    await expect(admin.listBindings(vhost)).rejects.toThrow(
      `GET ${admin.url}/api/bindings/${encodeURIComponent(vhost)} failed: HTTP 404: Not Found`,
    );
  });

  it("say when the API cannot be reached at all", async () => {
    const port = await closedPort();
    const nowhere = new RabbitMqAdmin({ url: `http://127.0.0.1:${port}/` });
    const error = await nowhere.overview().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: undefined, url: `http://127.0.0.1:${port}/api/overview` });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^GET http://127\\.0\\.0\\.1:${port}/api/overview failed: cannot reach the RabbitMQ management API: ECONNREFUSED`,
      ),
    );
  });
});

describe("prepareMcollectiveVhost", () => {
  it("sets up vhost, user, permissions and the exchanges of every collective; dispose removes them", async () => {
    const name = uniqueName();
    const vhost = `/${name}`;
    created.vhosts.push(vhost);
    created.users.push(name);
    const options = {
      vhost,
      user: name,
      password: "pw",
      collectives: ["mcollective", "eu_collective"],
      admin,
      description: `test vhost of pid ${process.pid}`,
    };
    const site = await prepareMcollectiveVhost(options);
    expect(site.exchanges).toEqual([
      ...mcollectiveExchanges("mcollective"),
      ...mcollectiveExchanges("eu_collective"),
    ]);

    const res = await fetch(`${admin.url}/api/exchanges/${encodeURIComponent(vhost)}`, {
      headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
    });
    const exchanges = (
      (await res.json()) as { name: string; type: string; durable: boolean; auto_delete: boolean }[]
    )
      .filter((e) => e.name.includes("collective_"))
      .map((e) => `${e.name} ${e.type} durable=${e.durable} auto_delete=${e.auto_delete}`)
      .sort();
    expect(exchanges).toEqual([
      "eu_collective_broadcast topic durable=true auto_delete=false",
      "eu_collective_directed direct durable=true auto_delete=false",
      "mcollective_broadcast topic durable=true auto_delete=false",
      "mcollective_directed direct durable=true auto_delete=false",
    ]);
    expect(await admin.listUserPermissions(name)).toEqual([
      { vhost, user: name, configure: ".*", write: ".*", read: ".*" },
    ]);
    expect((await admin.getVhost(vhost))?.description).toContain(`pid ${process.pid}`);

    // Re-running is harmless (an operator's set-up command must be).
    await prepareMcollectiveVhost(options);

    await site.dispose();
    await site.dispose();
    expect(await admin.getVhost(vhost)).toBeUndefined();
    expect(await admin.getUser(name)).toBeUndefined();
  });

  it("on failure removes what it created and keeps what existed", async () => {
    const name = uniqueName();
    const vhost = `/${name}`;
    created.vhosts.push(vhost);
    created.users.push(name);
    await admin.createVhost(vhost);
    await admin.declareExchange(vhost, "mcollective_directed", { type: "topic" });

    await expect(
      prepareMcollectiveVhost({ vhost, user: name, password: "pw", collectives: ["mcollective"], admin }),
    ).rejects.toThrow(/HTTP 400: inequivalent arg 'type' for exchange 'mcollective_directed'/);
    expect(await admin.getVhost(vhost)).toBeDefined();
    expect(await admin.getUser(name)).toBeUndefined();
    await admin.deleteVhost(vhost);

    await expect(
      prepareMcollectiveVhost({ vhost, user: name, password: "pw", collectives: ["bad name"], admin }),
    ).rejects.toThrow(/collective "bad name" is not a valid name/);
    expect(await admin.getVhost(vhost)).toBeUndefined();
  });
});
