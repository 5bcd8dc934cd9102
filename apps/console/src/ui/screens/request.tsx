/** One past request from the history: what was asked, and every reply kept. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client.js";
import type { HistoryDetail } from "../api/types.js";
import { ResultsView } from "../components/results-view.js";
import { describeFilter } from "../lib/filter.js";

export function RequestScreen({ id }: { id: string }) {
  const [detail, setDetail] = useState<HistoryDetail>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<HistoryDetail>("GET", `/api/history/${encodeURIComponent(id)}`).then(setDetail, (cause: unknown) =>
      setError(cause instanceof ApiError ? cause.message : String(cause)),
    );
  }, [id]);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!detail) return <p class="muted">Loading…</p>;
  const { entry } = detail;
  return (
    <section>
      <h1>
        {entry.agent} {entry.action}
      </h1>
      <p class="muted">
        {entry.user} at {new Date(entry.startedAt).toLocaleString()} to{" "}
        <code>{describeFilter(entry.filter)}</code>: {entry.status}
      </p>
      <ResultsView
        state={{
          replies: detail.replies,
          summaries: [],
          stats: undefined,
          phase: entry.status === "done" ? "ended" : entry.status,
        }}
      />
      {entry.noresponsefrom.length > 0 && (
        <div class="noresponse" data-testid="noresponse">
          <h3>No response from</h3>
          <p>{entry.noresponsefrom.join(" ")}</p>
        </div>
      )}
    </section>
  );
}
