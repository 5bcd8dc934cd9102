/**
 * A vhost of its own on the machine's RabbitMQ for one test file, with the
 * mcollective exchanges, and connectors on it over STOMP or AMQP: registers
 * its own beforeAll/afterEach/afterAll, so a file only says what it tests.
 */
import { randomBytes } from "node:crypto";
import type { InboundMessage } from "@phobos/core";
import { type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterAll, afterEach, beforeAll } from "vitest";
import rabbitmq from "../connector.js";
import { type McollectiveVhost, prepareMcollectiveVhost } from "../setup/mcollective-vhost.js";
import { adminOptionsFromEnv, RabbitMqAdmin } from "../setup/rabbitmq-admin.js";

const PROVISION = "run `sh tooling/scripts/provision.sh`";

export type Transport = "stomp" | "amqp";

export function useTestVhost(prefix: string, description: string) {
  const name = `${prefix}-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const admin = new RabbitMqAdmin(adminOptionsFromEnv());
  const ports = { stomp: 61613, amqp: 5672 };
  const opened: OpenPlugin<"connector">[] = [];
  let site: McollectiveVhost | undefined;

  beforeAll(async () => {
    const overview = await admin.overview().catch((err: Error) => {
      throw new Error(`RabbitMQ's management API does not answer (${err.message}): ${PROVISION}`);
    });
    const port = (protocol: string) => overview.listeners.find((l) => l.protocol === protocol)?.port;
    const stomp = port("stomp");
    const amqp = port("amqp");
    if (stomp === undefined || amqp === undefined) {
      throw new Error(`RabbitMQ lacks a STOMP or an AMQP listener: ${PROVISION}`);
    }
    Object.assign(ports, { stomp: Number(stomp), amqp: Number(amqp) });
    site = await prepareMcollectiveVhost({
      vhost: `/${name}`,
      user: name,
      password,
      collectives: ["mcollective"],
      admin,
      description,
    });
  });

  afterEach(async () => {
    await Promise.all(
      opened.splice(0).map(async (p) => {
        await p.instance.disconnect().catch(() => {});
        p.close();
      }),
    );
  });

  afterAll(async () => {
    await site?.dispose();
  });

  /** A connector on the test vhost; `port: null` leaves pool.1.port unset. */
  async function peer(
    transport: Transport,
    identity: string,
    mode: "client" | "server",
    extra: Record<string, string> = {},
    port: number | null = ports[transport],
  ) {
    const settings: Record<string, string> = {
      transport,
      vhost: `/${name}`,
      "pool.size": "1",
      "pool.1.host": "127.0.0.1",
      "pool.1.user": name,
      "pool.1.password": password,
      initial_reconnect_delay: "0.01",
      max_reconnect_delay: "0.5",
      ...(port === null ? {} : { "pool.1.port": String(port) }),
      ...extra,
    };
    const plugin = await openPlugin({ definition: rabbitmq, settings }, mode, identity);
    opened.push(plugin);
    const received: InboundMessage[] = [];
    plugin.instance.onMessage((m) => received.push(m));
    const lines = () => plugin.log.lines.map((l) => `${l.level} ${l.message}`);
    return { connector: plugin.instance, received, lines, identity };
  }

  return { name, password, admin, ports, peer };
}
