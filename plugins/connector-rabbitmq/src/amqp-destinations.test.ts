import { ConnectorError } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { deliveredHeaders, publishOptions, publishTarget, subscribeTarget } from "./amqp-destinations.js";

describe("RabbitMQ's STOMP destinations in AMQP terms", () => {
  it("maps what MCollective sends to an exchange and routing key", () => {
    expect(publishTarget("/exchange/mcollective_broadcast/rpcutil")).toEqual({
      kind: "route",
      exchange: "mcollective_broadcast",
      routingKey: "rpcutil",
    });
    expect(publishTarget("/exchange/mcollective_broadcast")).toEqual({
      kind: "route",
      exchange: "mcollective_broadcast",
      routingKey: "",
    });
    expect(publishTarget("/exchange/mcollective_reply/node1_123_4")).toEqual({
      kind: "route",
      exchange: "mcollective_reply",
      routingKey: "node1_123_4",
    });
  });

  it("sends replies for a STOMP peer's temp queue, and an AMQP peer's bare queue name, to the default exchange", () => {
    const queue = { kind: "route", exchange: "", routingKey: "amq.gen-A1" };
    expect(publishTarget("/reply-queue/amq.gen-A1")).toEqual(queue);
    expect(publishTarget("amq.gen-A1")).toEqual(queue);
    expect(publishTarget("/queue/amq.gen-A1")).toEqual(queue);
    expect(publishTarget("/amq/queue/amq.gen-A1")).toEqual(queue);
    expect(publishTarget("/topic/a.b")).toEqual({ kind: "route", exchange: "amq.topic", routingKey: "a.b" });
    expect(publishTarget("/temp-queue/mcollective_reply_rpcutil")).toEqual({
      kind: "temp-queue",
      name: "mcollective_reply_rpcutil",
    });
  });

  it("refuses what is no RabbitMQ destination, saying which forms are", () => {
    expect(() => publishTarget("/nowhere/x")).toThrow(ConnectorError);
    expect(() => publishTarget("/nowhere/x")).toThrow(/not a RabbitMQ destination \(\/exchange\/…/);
    expect(() => publishTarget("")).toThrow(/cannot send to ""/);
    expect(() => publishTarget("/exchange/")).toThrow(/names no exchange/);
    expect(() => subscribeTarget("/temp-queue/x")).toThrow(/RabbitMQ makes temp queues itself/);
  });

  it("subscribes by binding a private queue, or by reading a named one", () => {
    expect(subscribeTarget("/exchange/mcollective_directed/node1")).toEqual({
      kind: "bind",
      exchange: "mcollective_directed",
      bindingKey: "node1",
    });
    expect(subscribeTarget("/queue/work")).toEqual({ kind: "queue", queue: "work", declare: true });
    expect(subscribeTarget("/amq/queue/work")).toEqual({ kind: "queue", queue: "work", declare: false });
  });
});

describe("STOMP headers as AMQP properties and back", () => {
  it("puts reply-to and expiration in properties and MCollective's own headers in the table", () => {
    expect(
      publishOptions({
        "reply-to": "amq.gen-X",
        expiration: "70000",
        mc_sender: "node1",
        "content-type": "text/plain; charset=UTF-8",
        destination: "/exchange/x/y",
      }),
    ).toEqual({
      replyTo: "amq.gen-X",
      expiration: "70000",
      contentType: "text/plain; charset=UTF-8",
      headers: { mc_sender: "node1" },
    });
  });

  it("refuses an expiration that is not a whole number of milliseconds", () => {
    expect(() => publishOptions({ expiration: "soon" })).toThrow(
      /expiration "soon" is not a whole number of ms/,
    );
  });

  it("gives a STOMP peer's delivery headers, with a bare reply queue as /reply-queue/", () => {
    expect(
      deliveredHeaders(
        {
          headers: { mc_sender: Buffer.from("client1"), count: 3 },
          replyTo: "amq.gen-Q",
          expiration: "70000",
          contentType: "text/plain",
        },
        { destination: "/exchange/mcollective_directed/node1", redelivered: false },
      ),
    ).toEqual({
      destination: "/exchange/mcollective_directed/node1",
      redelivered: "false",
      mc_sender: "client1",
      count: "3",
      expiration: "70000",
      "content-type": "text/plain",
      "reply-to": "/reply-queue/amq.gen-Q",
    });
    const exchange = deliveredHeaders(
      { replyTo: "/exchange/mcollective_reply/c_1_2" },
      { destination: "/queue/amq.gen-Q", subscription: "/temp-queue/r", redelivered: true },
    );
    expect(exchange["reply-to"]).toBe("/exchange/mcollective_reply/c_1_2");
    expect(exchange.subscription).toBe("/temp-queue/r");
  });
});
