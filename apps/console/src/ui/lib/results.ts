/**
 * A request's results as they build up: one row per node in arrival order,
 * the aggregate summaries, the statistics, and how the request ended.
 * Pure functions over plain data, so the live stream and a history entry
 * render through the same code.
 */
import type { EndEvent, ReplyEvent, StatsEvent, SummaryEvent } from "../api/types.js";

export interface ResultsState {
  replies: ReplyEvent[];
  discovered?: string[];
  summaries: SummaryEvent["summaries"];
  stats?: StatsEvent;
  /** "running" until the stream's end event (or a cancel, or a lost stream). */
  phase: "running" | "ended" | "cancelled" | "failed" | "lost";
  error?: string;
}

export const INITIAL_RESULTS: ResultsState = { replies: [], summaries: [], phase: "running" };

export type ResultsEvent =
  | { type: "reply"; reply: ReplyEvent }
  | { type: "discovered"; nodes: string[] }
  | { type: "summary"; summaries: SummaryEvent["summaries"] }
  | { type: "stats"; stats: StatsEvent }
  | { type: "end"; end: EndEvent }
  | { type: "cancelled" }
  | { type: "lost"; error: string };

/** Applies a batch of events at once: one new state (and one render) per animation frame. */
export function applyEvents(state: ResultsState, events: readonly ResultsEvent[]): ResultsState {
  let replies: ReplyEvent[] | undefined;
  let next = state;
  for (const event of events) {
    switch (event.type) {
      case "reply":
        replies ??= [...state.replies];
        replies.push(event.reply);
        break;
      case "discovered":
        next = { ...next, discovered: event.nodes };
        break;
      case "summary":
        next = { ...next, summaries: event.summaries };
        break;
      case "stats":
        next = { ...next, stats: event.stats };
        break;
      case "end":
        next = {
          ...next,
          phase: event.end.status === "done" ? "ended" : event.end.status,
          ...(event.end.error ? { error: event.end.error } : {}),
        };
        break;
      case "cancelled":
        if (next.phase === "running") next = { ...next, phase: "cancelled" };
        break;
      case "lost":
        if (next.phase === "running") next = { ...next, phase: "lost", error: event.error };
        break;
    }
  }
  return replies ? { ...next, replies } : next;
}

export interface Tally {
  ok: number;
  failed: number;
}

export function tally(replies: readonly ReplyEvent[]): Tally {
  let ok = 0;
  for (const reply of replies) if (reply.statuscode === 0) ok++;
  return { ok, failed: replies.length - ok };
}
