/** Who ran what, on which filter, when, and how it went: newest first. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client.js";
import type { HistoryEntry } from "../api/types.js";
import { describeFilter } from "../lib/filter.js";
import { href } from "../lib/route.js";

export function HistoryScreen() {
  const [entries, setEntries] = useState<HistoryEntry[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ entries: HistoryEntry[] }>("GET", "/api/history").then(
      (answer) => setEntries(answer.entries),
      (cause: unknown) => setError(cause instanceof ApiError ? cause.message : String(cause)),
    );
  }, []);
  return (
    <section>
      <h1>History</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p class="muted">No request yet.</p>}
      {entries && entries.length > 0 && (
        <table class="list" data-testid="history">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Filter</th>
              <th>Discovered</th>
              <th>OK</th>
              <th>Failed</th>
              <th>No answer</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-request={entry.id}>
                <td>
                  <a href={href({ screen: "request", id: entry.id })}>
                    {new Date(entry.startedAt).toLocaleString()}
                  </a>
                </td>
                <td>{entry.user}</td>
                <td>
                  {entry.agent} {entry.action}
                </td>
                <td>
                  <code>{describeFilter(entry.filter)}</code>
                </td>
                <td>{entry.discovered}</td>
                <td>{entry.okcount}</td>
                <td>{entry.failcount}</td>
                <td>{entry.noresponsefrom.length}</td>
                <td>{entry.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
