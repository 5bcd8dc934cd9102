/**
 * Follows a request's Server-Sent Events. Each event is parsed as it comes
 * and handed on in batches, one per animation frame (see frame-batch.ts).
 */
import { createFrameBatch } from "../lib/frame-batch.js";
import type { ResultsEvent } from "../lib/results.js";

export function followRequest(id: string, deliver: (events: ResultsEvent[]) => void): () => void {
  const batch = createFrameBatch(deliver);
  const source = new EventSource(`/api/requests/${encodeURIComponent(id)}/events`);
  const on = (name: string, make: (data: unknown) => ResultsEvent) =>
    source.addEventListener(name, (event) =>
      batch.push(make(JSON.parse((event as MessageEvent<string>).data))),
    );
  on("reply", (data) => ({ type: "reply", reply: data as never }));
  on("discovered", (data) => ({ type: "discovered", nodes: (data as { nodes: string[] }).nodes }));
  on("summary", (data) => ({ type: "summary", summaries: (data as { summaries: never }).summaries }));
  on("stats", (data) => ({ type: "stats", stats: data as never }));
  source.addEventListener("end", () => {
    batch.push({ type: "end" });
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
