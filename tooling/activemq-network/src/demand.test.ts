import type { ActiveMqConsumer } from "@phobos/interop";
import { describe, expect, it } from "vitest";
import { missingDemand } from "./demand.js";

const daemon = { identity: "n1", collectives: ["mcollective", "sub"], agents: ["rpcutil"] };
const consumer = (destination: string, selector?: string): ActiveMqConsumer => ({
  id: destination,
  connectionId: "bridge",
  destination,
  ...(selector === undefined ? {} : { selector }),
});

describe("missingDemand", () => {
  it("names each destination a daemon is not yet reachable on", () => {
    expect(missingDemand([consumer("topic://mcollective.rpcutil.agent")], [daemon])).toEqual([
      "n1: queue://mcollective.nodes [mc_identity = 'n1']",
      "n1: queue://sub.nodes [mc_identity = 'n1']",
      "n1: topic://sub.rpcutil.agent",
    ]);
  });

  it("a directed queue consumer counts only with the daemon's own selector", () => {
    const consumers = [
      consumer("queue://mcollective.nodes", "mc_identity = 'n2'"),
      consumer("queue://sub.nodes", "mc_identity = 'n1'"),
      consumer("topic://mcollective.rpcutil.agent"),
      consumer("topic://sub.rpcutil.agent"),
    ];
    expect(missingDemand(consumers, [daemon])).toEqual([
      "n1: queue://mcollective.nodes [mc_identity = 'n1']",
    ]);
    consumers.push(consumer("queue://mcollective.nodes", "mc_identity = 'n1'"));
    expect(missingDemand(consumers, [daemon])).toEqual([]);
  });
});
