import { describe, expect, it } from "vitest";
import { deliveredDestination, parseDestination } from "./destination.js";
import { StompError } from "./errors.js";
import { defaultExchangeType } from "./exchange.js";
import { negotiateHeartbeat } from "./heartbeat.js";
import { negotiateVersion } from "./version.js";

describe("version negotiation", () => {
  it.each([
    [undefined, "1.0"],
    ["1.0", "1.0"],
    ["1.1,1.0", "1.1"],
    ["1.0, 1.2", "1.2"],
    ["2.0", undefined],
    ["", undefined],
  ])("accept-version %s gives %s", (header, version) => {
    expect(negotiateVersion(header)).toBe(version);
  });
});

describe("heart-beat negotiation", () => {
  it("takes the client's wishes, never faster than the minimum", () => {
    expect(negotiateHeartbeat(undefined, 1000)).toEqual({ send: 0, receive: 0 });
    expect(negotiateHeartbeat("0,0", 1000)).toEqual({ send: 0, receive: 0 });
    // MCollective with heartbeat_interval = 30: it sends every 30.5 s and wants ours every 29.5 s.
    expect(negotiateHeartbeat("30500,29500", 1000)).toEqual({ send: 29500, receive: 30500 });
    expect(negotiateHeartbeat("10,0", 1000)).toEqual({ send: 0, receive: 1000 });
  });

  it("refuses a malformed heart-beat header", () => {
    expect(() => negotiateHeartbeat("fast", 1000)).toThrow(StompError);
  });
});

describe("destinations", () => {
  it("parses RabbitMQ's destination forms", () => {
    expect(parseDestination("/exchange/mcollective_broadcast/discovery")).toEqual({
      kind: "exchange",
      exchange: "mcollective_broadcast",
      routingKey: "discovery",
    });
    expect(parseDestination("/exchange/x")).toEqual({ kind: "exchange", exchange: "x", routingKey: "" });
    expect(parseDestination("/queue/q")).toEqual({ kind: "queue", queue: "q" });
    expect(parseDestination("/amq/queue/q")).toEqual({ kind: "amq-queue", queue: "q" });
    expect(parseDestination("/topic/a.b")).toEqual({ kind: "topic", routingKey: "a.b" });
    expect(parseDestination("/temp-queue/r")).toEqual({ kind: "temp-queue", name: "r" });
    expect(parseDestination("/reply-queue/amq.gen-x")).toEqual({ kind: "reply-queue", queue: "amq.gen-x" });
  });

  it.each(["/nowhere", "queue/x", "/queue/", "/queue/a/b", "/exchange/", "/exchange/a/b/c", "/temp-queue/"])(
    "refuses %s",
    (raw) => {
      expect(() => parseDestination(raw)).toThrow(StompError);
    },
  );

  it("names delivered messages after where they were published, like RabbitMQ", () => {
    expect(deliveredDestination("", "amq.gen-x")).toBe("/queue/amq.gen-x");
    expect(deliveredDestination("amq.topic", "a.b")).toBe("/topic/a.b");
    expect(deliveredDestination("c_broadcast", "discovery")).toBe("/exchange/c_broadcast/discovery");
    expect(deliveredDestination("amq.direct", "")).toBe("/exchange/amq.direct");
  });

  it("gives undeclared exchanges MCollective's types", () => {
    expect(defaultExchangeType("mcollective_directed")).toBe("direct");
    expect(defaultExchangeType("mcollective_broadcast")).toBe("topic");
    expect(defaultExchangeType("amq.direct")).toBe("direct");
    expect(defaultExchangeType("amq.fanout")).toBe("fanout");
    expect(defaultExchangeType("events")).toBe("topic");
  });
});
