/** The results of a request this page started, following its event stream until it ends. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client.js";
import { followRequest } from "../api/request-stream.js";
import type { ActionJson } from "../api/types.js";
import { applyEvents, INITIAL_RESULTS } from "../lib/results.js";
import { ResultsView } from "./results-view.js";

export function LiveResults({ id, action }: { id: string; action?: ActionJson }) {
  const [state, setState] = useState(INITIAL_RESULTS);
  useEffect(() => followRequest(id, (events) => setState((last) => applyEvents(last, events))), [id]);
  const cancel = () => {
    api("DELETE", `/api/requests/${encodeURIComponent(id)}`).then(
      () => setState((last) => applyEvents(last, [{ type: "cancelled" }])),
      (cause: unknown) => setState((last) => ({ ...last, error: `cannot cancel: ${String(cause)}` })),
    );
  };
  return <ResultsView state={state} action={action} onCancel={cancel} />;
}
