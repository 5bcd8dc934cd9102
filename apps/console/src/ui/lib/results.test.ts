import { describe, expect, it } from "vitest";
import type { ReplyEvent } from "../api/types.js";
import { applyEvents, INITIAL_RESULTS, tally } from "./results.js";

const reply = (sender: string, statuscode = 0): ReplyEvent => ({
  sender,
  statuscode,
  statusmsg: statuscode === 0 ? "OK" : "You are not authorized to call this agent or action.",
  data: {},
  displayed: true,
  text: "",
});

describe("a request's results as events arrive", () => {
  it("appends a batch of replies in arrival order in one new state, leaving the old one untouched", () => {
    const first = applyEvents(INITIAL_RESULTS, [{ type: "reply", reply: reply("node2") }]);
    const second = applyEvents(first, [
      { type: "reply", reply: reply("node1") },
      { type: "reply", reply: reply("node3", 1) },
    ]);
    expect(second.replies.map((r) => r.sender)).toEqual(["node2", "node1", "node3"]);
    expect(first.replies.map((r) => r.sender)).toEqual(["node2"]);
    expect(tally(second.replies)).toEqual({ ok: 2, failed: 1 });
  });

  it("keeps the state object when a batch changes nothing, so nothing re-renders", () => {
    const ended = applyEvents(INITIAL_RESULTS, [{ type: "end", end: { status: "done" } }]);
    expect(applyEvents(ended, [])).toBe(ended);
  });

  it("ends as the stream's end event says: done, cancelled or failed with its error", () => {
    expect(applyEvents(INITIAL_RESULTS, [{ type: "end", end: { status: "done" } }]).phase).toBe("ended");
    expect(applyEvents(INITIAL_RESULTS, [{ type: "end", end: { status: "cancelled" } }]).phase).toBe(
      "cancelled",
    );
    const failed = applyEvents(INITIAL_RESULTS, [
      { type: "end", end: { status: "failed", error: "no broker" } },
    ]);
    expect(failed).toMatchObject({ phase: "failed", error: "no broker" });
  });

  it("does not let a late cancel or a closed stream overwrite how a request ended", () => {
    const ended = applyEvents(INITIAL_RESULTS, [{ type: "end", end: { status: "done" } }]);
    expect(applyEvents(ended, [{ type: "cancelled" }]).phase).toBe("ended");
    expect(applyEvents(ended, [{ type: "lost", error: "closed" }]).phase).toBe("ended");
    expect(applyEvents(INITIAL_RESULTS, [{ type: "lost", error: "closed" }])).toMatchObject({
      phase: "lost",
      error: "closed",
    });
  });
});
