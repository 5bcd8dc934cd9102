/**
 * A request's results: one row per node as it answers (status, then its
 * data under the action's display policy), the aggregate summaries and
 * statistics mco prints, and the nodes that did not answer. Rows are a
 * virtual list, so a thousand replies scroll as easily as three.
 */
import { useState } from "preact/hooks";
import type { ActionJson, ReplyEvent } from "../api/types.js";
import { plural, valueText } from "../lib/format.js";
import { type ResultsState, tally } from "../lib/results.js";
import { VirtualRows } from "./virtual-rows.js";

const STATUS_NAMES = ["OK", "Aborted", "Unknown action", "Missing data", "Invalid data", "Unknown error"];

function label(action: ActionJson | undefined, key: string): string {
  return action?.output[key]?.display_as ?? key;
}

function dataLine(action: ActionJson | undefined, reply: ReplyEvent): string {
  if (!reply.displayed) return "";
  // Empty values (a blank Output) would only push the informative ones out of the cell.
  return Object.entries(reply.data)
    .map(([key, value]) => [key, valueText(value)] as const)
    .filter(([, text]) => text !== "")
    .map(([key, text]) => `${label(action, key)}: ${text}`)
    .join("   ");
}

export function ResultsView({
  state,
  action,
  onCancel,
}: {
  state: ResultsState;
  action?: ActionJson;
  onCancel?: () => void;
}) {
  const [selected, setSelected] = useState<string>();
  const counts = tally(state.replies);
  const chosen = state.replies.find((reply) => reply.sender === selected);
  const discovered = state.discovered?.length ?? state.stats?.discovered;

  return (
    <section class="results" data-testid="results" data-phase={state.phase}>
      <div class="results-head">
        <h2>Results</h2>
        <span data-testid="tally">
          {plural(state.replies.length, "reply", "replies")}
          {discovered !== undefined && ` of ${discovered} discovered`} · {counts.ok} ok · {counts.failed}{" "}
          failed
        </span>
        <span class={`phase phase-${state.phase}`} data-testid="phase">
          {state.phase === "running" ? "waiting for replies…" : state.phase}
        </span>
        {onCancel && state.phase === "running" && (
          <button type="button" class="danger" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {state.error && (
        <p class="error" role="alert">
          {state.error}
        </p>
      )}
      <VirtualRows
        items={state.replies}
        rowHeight={30}
        maxHeight={420}
        label="Replies"
        testId="replies"
        columns={["14rem", "18rem", "auto"]}
        header={
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th>Data</th>
          </tr>
        }
        row={(reply) => (
          <tr
            key={reply.sender}
            class={reply.sender === selected ? "selected" : undefined}
            data-sender={reply.sender}
            data-status={reply.statuscode}
          >
            <td>
              <button
                type="button"
                class="link-button"
                aria-expanded={reply.sender === selected}
                onClick={() => setSelected(reply.sender === selected ? undefined : reply.sender)}
              >
                {reply.sender}
              </button>
            </td>
            <td class={reply.statuscode === 0 ? "ok" : "fail"} title={reply.statusmsg}>
              {reply.statuscode === 0 ? "OK" : reply.statusmsg || STATUS_NAMES[reply.statuscode]}
            </td>
            <td class="data">{dataLine(action, reply)}</td>
          </tr>
        )}
      />
      {chosen && <ReplyDetail reply={chosen} action={action} />}
      {state.summaries.length > 0 && (
        <div class="summaries" data-testid="summaries">
          <h3>Summaries</h3>
          {state.summaries.map((summary) => (
            <div key={summary.output}>
              <h4>{summary.heading}</h4>
              <pre>{summary.lines.join("\n")}</pre>
            </div>
          ))}
        </div>
      )}
      {state.stats && (
        <div class="stats" data-testid="stats">
          <h3>Statistics</h3>
          <dl class="facts-inline">
            <dt>Discovered</dt>
            <dd>{state.stats.discovered}</dd>
            <dt>Responses</dt>
            <dd>{state.stats.responses}</dd>
            <dt>OK / failed</dt>
            <dd>
              {state.stats.okcount} / {state.stats.failcount}
            </dd>
            <dt>Time</dt>
            <dd data-testid="stats-time">
              {state.stats.discoverytime.toFixed(2)} s discovery, {state.stats.totaltime.toFixed(2)} s in all
            </dd>
          </dl>
          {state.stats.noresponsefrom.length > 0 && (
            <div class="noresponse" data-testid="noresponse">
              <h4>No response from</h4>
              <p>{state.stats.noresponsefrom.join(" ")}</p>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function ReplyDetail({ reply, action }: { reply: ReplyEvent; action?: ActionJson }) {
  const keys = Object.keys(reply.data);
  return (
    <div class="card detail" data-testid="reply-detail">
      <h3>{reply.sender}</h3>
      <p class={reply.statuscode === 0 ? "ok" : "fail"}>
        {STATUS_NAMES[reply.statuscode] ?? `status ${reply.statuscode}`}
        {reply.statusmsg && reply.statuscode !== 0 && `: ${reply.statusmsg}`}
      </p>
      {!reply.displayed && keys.length > 0 && (
        <p class="muted">mco would not print this reply's data (the action's display policy).</p>
      )}
      {reply.text !== "" && (
        <>
          <h4>As mco prints it</h4>
          <pre class="mco-text">{reply.text}</pre>
        </>
      )}
      {keys.length > 0 && (
        <table class="kv">
          <tbody>
            {keys.map((key) => (
              <tr key={key}>
                <th scope="row">{label(action, key)}</th>
                <td>
                  <pre>{valueText(reply.data[key])}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
