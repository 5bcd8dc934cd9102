import type { NodeRecord } from "@phobos/registry";
import { describe, expect, it } from "vitest";
import { listText, nodeJson } from "./list.js";

const now = new Date("2026-12-06T05:00:00Z");
const record = (identity: string, age: number, more: Partial<NodeRecord> = {}): NodeRecord => ({
  identity,
  collectives: ["mcollective"],
  agents: ["rpcutil"],
  facts: { role: "web" },
  classes: ["base"],
  version: "2.12.5",
  firstSeen: new Date(now.getTime() - 86_400_000),
  lastSeen: new Date(now.getTime() - age * 1000),
  source: "meta",
  stale: false,
  registrations: 3,
  ...more,
});

describe("mco registry's list", () => {
  it("aligns identity, age, source and the stale flag, then counts", () => {
    const text = listText(
      [record("db1.example.net", 12), record("web7", 7500, { source: "agentlist", stale: true })],
      now,
    );
    expect(text).toBe(
      [
        "Identity          Last seen   Source",
        "db1.example.net   12s ago     meta",
        "web7              2h 5m ago   agentlist   stale",
        "",
        "2 nodes, 1 stale",
        "",
      ].join("\n"),
    );
  });

  it("says so when there is nothing to list", () => {
    expect(listText([], now)).toBe("Identity   Last seen   Source\n\n0 nodes, 0 stale\n");
  });

  it("gives JSON every field, times in ISO 8601 and the age in seconds", () => {
    expect(nodeJson(record("db1", 12, { version: undefined }), now)).toEqual({
      identity: "db1",
      last_seen: "2026-12-06T04:59:48.000Z",
      age: 12,
      first_seen: "2026-12-05T05:00:00.000Z",
      source: "meta",
      stale: false,
      version: null,
      collectives: ["mcollective"],
      agents: ["rpcutil"],
      classes: ["base"],
      facts: { role: "web" },
      registrations: 3,
    });
  });
});
