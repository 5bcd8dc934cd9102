import { type MetricsEndpoint, parseExposition, sampleValue, startMetricsEndpoint } from "@phobos/metrics";
import { afterEach, describe, expect, it } from "vitest";
import { brokerMetricSet } from "./metrics.js";
import { useBrokers } from "./test-support/broker-fixture.js";

const fixture = useBrokers();
let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function scrape() {
  return parseExposition(await (endpoint as MetricsEndpoint).scrape());
}

describe("the broker's metric set", () => {
  it("shows connections, messages in and out, subscriptions and the depth of each queue that holds messages", async () => {
    const broker = await fixture.broker();
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0, sets: [brokerMetricSet(broker)] });
    const empty = await scrape();
    expect(sampleValue(empty, "phobos_broker_open_connections")).toBe(0);
    expect(sampleValue(empty, "phobos_broker_queue_depth_max")).toBe(0);
    expect(empty.filter((s) => s.name === "phobos_broker_queue_depth")).toEqual([]);

    const producer = await fixture.client(broker.port);
    await producer.connect();
    for (let i = 0; i < 3; i++)
      producer.send("SEND", { destination: "/queue/backlog", receipt: `r${i}` }, `m${i}`);
    producer.send("SEND", { destination: "/queue/other", receipt: "r3" }, "x");
    for (let i = 0; i < 4; i++) expect((await producer.next()).command).toBe("RECEIPT");

    const held = await scrape();
    expect(sampleValue(held, "phobos_broker_connections_total")).toBe(1);
    expect(sampleValue(held, "phobos_broker_open_connections")).toBe(1);
    expect(sampleValue(held, "phobos_broker_messages_published_total")).toBe(4);
    expect(sampleValue(held, "phobos_broker_messages_delivered_total")).toBe(0);
    expect(sampleValue(held, "phobos_broker_queued_messages")).toBe(4);
    expect(sampleValue(held, "phobos_broker_queue_depth", { vhost: "/", queue: "backlog" })).toBe(3);
    expect(sampleValue(held, "phobos_broker_queue_depth", { vhost: "/", queue: "other" })).toBe(1);
    expect(sampleValue(held, "phobos_broker_queue_depth_max")).toBe(3);

    const consumer = await fixture.client(broker.port);
    await consumer.connect();
    consumer.send("SUBSCRIBE", { destination: "/queue/backlog", id: "s1", ack: "auto" });
    for (let i = 0; i < 3; i++) expect((await consumer.next()).command).toBe("MESSAGE");

    const drained = await scrape();
    expect(sampleValue(drained, "phobos_broker_subscriptions")).toBe(1);
    expect(sampleValue(drained, "phobos_broker_messages_delivered_total")).toBe(3);
    expect(
      sampleValue(drained, "phobos_broker_queue_depth", { vhost: "/", queue: "backlog" }),
    ).toBeUndefined();
    expect(sampleValue(drained, "phobos_broker_queue_depth", { vhost: "/", queue: "other" })).toBe(1);
    expect(sampleValue(drained, "phobos_broker_connections_total")).toBe(2);
  });

  it("counts a refused login and the messages a full queue dropped", async () => {
    const broker = await fixture.broker({ limits: { maxQueueMessages: 2 } });
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0, sets: [brokerMetricSet(broker)] });
    const intruder = await fixture.client(broker.port);
    intruder.send("CONNECT", { "accept-version": "1.2", login: "guest", passcode: "wrong" });
    expect((await intruder.next()).command).toBe("ERROR");
    const producer = await fixture.client(broker.port);
    await producer.connect();
    for (let i = 0; i < 5; i++)
      producer.send("SEND", { destination: "/queue/small", receipt: `r${i}` }, `m${i}`);
    for (let i = 0; i < 5; i++) expect((await producer.next()).command).toBe("RECEIPT");
    const samples = await scrape();
    expect(sampleValue(samples, "phobos_broker_auth_failures_total")).toBe(1);
    expect(sampleValue(samples, "phobos_broker_messages_dropped_total")).toBe(3);
    expect(sampleValue(samples, "phobos_broker_queue_depth", { vhost: "/", queue: "small" })).toBe(2);
  });
});
