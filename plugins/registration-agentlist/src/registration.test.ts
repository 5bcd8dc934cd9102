/**
 * The agentlist registration plugin: core's registration conformance suite,
 * and the body Ruby's Registration::Agentlist sends (Agents.agentlist: an
 * Array of agent names) read afresh every interval.
 */
import { dump } from "@phobos/core";
import { createStubServices, describeRegistrationPlugin, openPlugin } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import agentlist from "./registration.js";

describeRegistrationPlugin({
  definition: agentlist,
  services: { agents: () => ["discovery", "package", "rpcutil"] },
});

describe("agentlist registration", () => {
  it("sends the daemon's agents as an Array of Strings", async () => {
    const running = await openPlugin(
      { definition: agentlist, services: { agents: () => ["discovery", "rpcutil"] } },
      "server",
    );
    const body = await running.instance.body();
    expect(body).toEqual(["discovery", "rpcutil"]);
    // ruby -e 'print Marshal.dump(["discovery", "rpcutil"]).unpack1("H*")'
    expect(Buffer.from(dump(body)).toString("hex")).toBe(
      "04085b0749220e646973636f76657279063a06455449220c7270637574696c063b0054",
    );
    running.close();
  });

  it("reads the agent list again each time, so a reload shows in the next registration", async () => {
    let agents = ["rpcutil"];
    const running = await openPlugin(
      { definition: agentlist, services: createStubServices({ agents: () => agents }) },
      "server",
    );
    expect(await running.instance.body()).toEqual(["rpcutil"]);
    agents = ["package", "rpcutil"];
    expect(await running.instance.body()).toEqual(["package", "rpcutil"]);
    running.close();
  });
});
