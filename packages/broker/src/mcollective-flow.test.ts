import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "./broker.js";
import { eventually } from "./test-support/broker-fixture.js";
import { mcollectiveFlow } from "./test-support/mcollective-flow.js";
import {
  declareRabbitExchange,
  deleteRabbitExchange,
  RABBITMQ,
  requireRabbitMq,
} from "./test-support/rabbitmq.js";

// Distinct names per run: other suites may use the same RabbitMQ at the same time.
const collective = `phobos_flow_${randomBytes(4).toString("hex")}`;
const exchanges = { broadcast: `${collective}_broadcast`, directed: `${collective}_directed` };

describe("MCollective's RabbitMQ connector flow", () => {
  let broker: RunningBroker;
  const transcripts: Record<"embedded" | "rabbitmq", string[] | undefined> = {
    embedded: undefined,
    rabbitmq: undefined,
  };

  beforeAll(async () => {
    broker = await startBroker({ port: 0 });
    await requireRabbitMq();
    await declareRabbitExchange(exchanges.broadcast, "topic");
    await declareRabbitExchange(exchanges.directed, "direct");
  });

  afterAll(async () => {
    await broker?.close();
    await deleteRabbitExchange(exchanges.broadcast);
    await deleteRabbitExchange(exchanges.directed);
  });

  it("works against the embedded broker (exchanges declared on first use)", async () => {
    transcripts.embedded = await mcollectiveFlow({
      port: broker.port,
      vhost: "/",
      login: "guest",
      passcode: "guest",
      ...exchanges,
    });
    // Nothing is left behind once everyone disconnected.
    await eventually(() => broker.stats().connections === 0, 2000, "the broker to see the disconnects");
    expect(broker.stats()).toMatchObject({
      connections: 0,
      subscriptions: 0,
      queues: 0,
      bufferedMessages: 0,
    });
  });

  it("works against RabbitMQ 3.10", async () => {
    transcripts.rabbitmq = await mcollectiveFlow({
      port: RABBITMQ.port,
      vhost: "/",
      login: RABBITMQ.user,
      passcode: RABBITMQ.password,
      ...exchanges,
    });
  });

  it("produces the same frames on both, header for header", () => {
    expect(transcripts.embedded).toBeDefined();
    expect(transcripts.embedded).toEqual(transcripts.rabbitmq);
  });

  it("works on MCollective's own vhost and user, as in the captures", async () => {
    const own = await startBroker({ port: 0, users: [{ name: "mcollective", password: "marionette" }] });
    try {
      await mcollectiveFlow({
        port: own.port,
        vhost: "/mcollective",
        login: "mcollective",
        passcode: "marionette",
        broadcast: "mcollective_broadcast",
        directed: "mcollective_directed",
      });
    } finally {
      await own.close();
    }
  });
});
