/**
 * Follows a request's Server-Sent Events. Each event is parsed as it comes
 * and handed on in batches, one per animation frame (see frame-batch.ts).
 */
import { createFrameBatch } from "../lib/frame-batch.js";
import type { ResultsEvent } from "../lib/results.js";
import type { DiscoveredEvent, EndEvent, ReplyEvent, StatsEvent, SummaryEvent } from "./types.js";

export function followRequest(id: string, deliver: (events: ResultsEvent[]) => void): () => void {
  const batch = createFrameBatch(deliver);
  const source = new EventSource(`/api/requests/${encodeURIComponent(id)}/events`);
  const on = <T>(name: string, make: (data: T) => ResultsEvent) =>
    source.addEventListener(name, (event) =>
      batch.push(make(JSON.parse((event as MessageEvent<string>).data) as T)),
    );
  on<ReplyEvent>("reply", (reply) => ({ type: "reply", reply }));
  on<DiscoveredEvent>("discovered", (data) => ({ type: "discovered", nodes: data.nodes }));
  on<SummaryEvent>("summary", (data) => ({ type: "summary", summaries: data.summaries }));
  on<StatsEvent>("stats", (stats) => ({ type: "stats", stats }));
  source.addEventListener("end", (event) => {
    batch.push({ type: "end", end: JSON.parse((event as MessageEvent<string>).data) as EndEvent });
    source.close();
    batch.close();
  });
  source.addEventListener("error", () => {
    // The browser retries a dropped stream by itself; a refused one (403, 404) is closed for good.
    if (source.readyState === EventSource.CLOSED) {
      batch.push({ type: "lost", error: "the console closed the result stream" });
      batch.close();
    }
  });
  return () => {
    source.close();
    batch.close();
  };
}
