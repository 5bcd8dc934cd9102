/**
 * The connector conformance suite of @phobos/testing, run three times:
 * against the machine's RabbitMQ (an isolated vhost set up as MCollective's
 * guide says) over STOMP and over AMQP 0-9-1 (`transport = amqp`), and against
 * Phobos's embedded broker on an ephemeral port. All must pass unchanged:
 * `connector = rabbitmq` is meant to work against either broker, in either
 * protocol.
 */
import { randomBytes } from "node:crypto";
import { type RunningBroker, startBroker } from "@phobos/broker";
import type { Connector, Subscription } from "@phobos/core";
import {
  type Check,
  ConformanceError,
  connectorChecks,
  describeConnectorPlugin,
  openPlugin,
} from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rabbitmq from "./connector.js";
import { type McollectiveVhost, prepareMcollectiveVhost } from "./setup/mcollective-vhost.js";
import { adminOptionsFromEnv, RabbitMqAdmin } from "./setup/rabbitmq-admin.js";

const PROVISION = "run `sh tooling/scripts/provision.sh`";
/** Quick reconnects: the suite drops connections on purpose. */
const FAST_RECONNECT = { initial_reconnect_delay: "0.01", max_reconnect_delay: "0.5" };

describe("against RabbitMQ", () => {
  const name = `phobos-connector-test-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const settings: Record<string, string> = {
    vhost: `/${name}`,
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": name,
    "pool.1.password": password,
    ...FAST_RECONNECT,
  };
  let site: McollectiveVhost | undefined;
  const admin = new RabbitMqAdmin(adminOptionsFromEnv());

  beforeAll(async () => {
    const overview = await admin.overview().catch((err: Error) => {
      throw new Error(`RabbitMQ's management API does not answer (${err.message}): ${PROVISION}`);
    });
    const stomp =
      process.env.RABBITMQ_STOMP_PORT ?? overview.listeners.find((l) => l.protocol === "stomp")?.port;
    if (stomp === undefined) throw new Error(`RabbitMQ has no STOMP listener: ${PROVISION}`);
    settings["pool.1.port"] = String(stomp);
    site = await prepareMcollectiveVhost({
      vhost: settings.vhost as string,
      user: name,
      password,
      collectives: ["mcollective"],
      admin,
      description: "connector conformance suite",
    });
  });

  afterAll(async () => {
    await site?.dispose();
  });

  describeConnectorPlugin({
    definition: rabbitmq,
    settings,
    // The vhost's only user is the suite's: closing its connections drops them all, at once.
    dropConnections: () => admin.closeUserConnections(name, "connector conformance: dropped on purpose"),
  });
});

describe("against RabbitMQ over AMQP 0-9-1 (transport = amqp)", () => {
  const name = `phobos-connector-amqp-${randomBytes(5).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const settings: Record<string, string> = {
    transport: "amqp",
    vhost: `/${name}`,
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": name,
    "pool.1.password": password,
    ...FAST_RECONNECT,
  };
  let site: McollectiveVhost | undefined;
  const admin = new RabbitMqAdmin(adminOptionsFromEnv());

  beforeAll(async () => {
    const overview = await admin.overview().catch((err: Error) => {
      throw new Error(`RabbitMQ's management API does not answer (${err.message}): ${PROVISION}`);
    });
    const port =
      process.env.RABBITMQ_AMQP_PORT ?? overview.listeners.find((l) => l.protocol === "amqp")?.port;
    if (port === undefined) throw new Error(`RabbitMQ has no AMQP listener: ${PROVISION}`);
    settings["pool.1.port"] = String(port);
    site = await prepareMcollectiveVhost({
      vhost: settings.vhost as string,
      user: name,
      password,
      collectives: ["mcollective"],
      admin,
      description: "connector conformance suite, AMQP transport",
    });
  });

  afterAll(async () => {
    await site?.dispose();
  });

  describeConnectorPlugin({
    definition: rabbitmq,
    settings,
    dropConnections: () => admin.closeUserConnections(name, "connector conformance: dropped on purpose"),
  });
});

describe("against the embedded broker", () => {
  const settings: Record<string, string> = {
    vhost: "/mcollective",
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": "mcollective",
    "pool.1.password": "conformance",
    ...FAST_RECONNECT,
  };
  const users = [{ name: "mcollective", password: "conformance" }];
  let broker: RunningBroker | undefined;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, users });
    settings["pool.1.port"] = String(broker.port);
  });

  afterAll(async () => {
    await broker?.close();
  });

  describeConnectorPlugin({
    definition: rabbitmq,
    settings,
    // A restart on the same port: every connection goes, and the new broker knows no subscription.
    async dropConnections() {
      const port = broker?.port;
      await broker?.close();
      broker = await startBroker({ port, users });
    },
  });
});

/**
 * The suite itself under test: each check must fail, saying why, on a
 * connector broken in the way it guards against. Mutants wrap the real
 * connector and run against the embedded broker.
 */
describe("the connector suite catches broken connectors", () => {
  const users = [{ name: "mcollective", password: "mutants" }];
  const settings: Record<string, string> = {
    vhost: "/mcollective",
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": "mcollective",
    "pool.1.password": "mutants",
    ...FAST_RECONNECT,
  };
  let broker: RunningBroker | undefined;
  const opened: (() => void)[] = [];

  beforeAll(async () => {
    broker = await startBroker({ port: 0, users });
    settings["pool.1.port"] = String(broker.port);
  });

  afterAll(async () => {
    for (const close of opened) close();
    await broker?.close();
  });

  type Mutation = (inner: Connector) => Partial<Connector>;

  /** Runs the one check named `check` with connectors altered by `mutate`; returns how it failed. */
  async function failure(check: RegExp, mutate: Mutation): Promise<string> {
    const checks = connectorChecks({
      definition: rabbitmq,
      settings,
      timeoutMs: 1_500,
      async dropConnections() {
        const port = broker?.port;
        await broker?.close();
        broker = await startBroker({ port, users });
      },
      async factory({ identity, mode }) {
        const plugin = await openPlugin({ definition: rabbitmq, settings }, mode, identity);
        opened.push(plugin.close);
        const inner = plugin.instance;
        const base: Connector = {
          connect: (o) => inner.connect(o),
          disconnect: () => inner.disconnect(),
          subscribe: (s) => inner.subscribe(s),
          unsubscribe: (s) => inner.unsubscribe(s),
          publish: (m) => inner.publish(m),
          onMessage: (h) => inner.onMessage(h),
          onStateChange: (h) => inner.onStateChange?.(h),
          describe: () => inner.describe(),
        };
        return { ...base, ...mutate(inner) };
      },
    });
    const selected = checks.filter((c) => check.test(c.name));
    expect(selected.map((c) => c.name)).toHaveLength(1);
    const error = await (selected[0] as Check).run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error, `the check "${selected[0]?.name}" passed on a broken connector`).toBeInstanceOf(
      ConformanceError,
    );
    return (error as Error).message;
  }

  it("a connector that loses NUL bytes fails the byte-exact check", async () => {
    const message = await failure(/byte-exact/, (inner) => ({
      publish: (m) => inner.publish({ ...m, body: Uint8Array.from([...m.body].filter((b) => b !== 0)) }),
    }));
    expect(message).toMatch(/body of a .* changed on the way: /);
  });

  it("a connector whose broadcasts reach every agent's subscribers fails the broadcast check", async () => {
    const message = await failure(/broadcast request reaches/, (inner) => ({
      subscribe: (s) => inner.subscribe(s.kind === "broadcast" ? { ...s, agent: "#" } : s),
    }));
    expect(message).toMatch(/copies of a broadcast .* differs/);
  });

  it("a connector that sends a directed request to the first node only fails the directed check", async () => {
    const message = await failure(/directed request reaches only/, (inner) => ({
      publish: (m) => inner.publish(m.kind === "direct_request" ? { ...m, nodes: m.nodes?.slice(0, 1) } : m),
    }));
    // Caught while making sure the directed queues work, before the request itself.
    expect(message).toMatch(
      /^directed requests: nothing sent by direct-client\S* reached direct-b\S*, direct-c/,
    );
  });

  it("a connector that sends every reply twice fails the reply check", async () => {
    const message = await failure(/reply reaches exactly/, (inner) => ({
      publish: async (m) => {
        await inner.publish(m);
        if (m.kind === "reply") await inner.publish(m);
      },
    }));
    expect(message).toMatch(/replies each client received/);
  });

  it("a connector whose unsubscribe does nothing fails the unsubscribe check", async () => {
    const message = await failure(/unsubscribe stops delivery/, () => ({ unsubscribe: async () => {} }));
    expect(message).toMatch(/delivered after unsubscribing/);
  });

  it("a connector that loses mc_sender fails the headers check", async () => {
    const message = await failure(/mc_sender and expiry headers/, (inner) => ({
      onMessage: (h) =>
        inner.onMessage((m) => {
          const { mc_sender: _dropped, ...headers } = m.headers;
          h({ ...m, headers });
        }),
    }));
    expect(message).toMatch(/mc_sender is undefined, not /);
  });

  it("a connector that forgets its subscriptions on reconnect fails the drop check", async () => {
    const message = await failure(/restored after the broker drops/, (inner) => {
      const subs: Subscription[] = [];
      return {
        subscribe: (s) => {
          subs.push(s);
          return inner.subscribe(s);
        },
        onStateChange: (h) =>
          inner.onStateChange?.((state, detail) => {
            if (state !== "connected") for (const s of subs.splice(0)) void inner.unsubscribe(s);
            h(state, detail);
          }),
      };
    });
    expect(message).toMatch(
      /^broadcast to drop_\w+ after the drop: nothing sent by drop-client\S* reached drop-a\S* within 1500 ms$/,
    );
  });

  it("a connector whose second disconnect throws fails the disconnect check", async () => {
    const message = await failure(/disconnect is clean/, (inner) => {
      let calls = 0;
      return {
        disconnect: async () => {
          if (++calls > 1) throw new Error("already disconnected");
          await inner.disconnect();
        },
      };
    });
    expect(message).toBe(
      "disconnect() twice at once threw Error: already disconnected: disconnect() must be safe to call again",
    );
  });
});
