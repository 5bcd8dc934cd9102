/**
 * Run an action: the filter (with its live count, and broadcast discovery
 * on demand), an agent and action from the DDLs, the action's inputs as a
 * form checked by the server as the user types, limit and batch options,
 * and the results streaming in below. An unfiltered request asks first, as
 * mco does.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client.js";
import type { ActionJson, AgentDdlJson, AgentSummary, RunOptions, ValidationErrors } from "../api/types.js";
import { ActionForm, type InputValues, initialValues, inputsToSend } from "../components/action-form.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { FilterForm } from "../components/filter-form.js";
import { LiveResults } from "../components/live-results.js";
import { RunOptionsForm } from "../components/run-options.js";
import { describeFilter, type FilterText, filterSpec } from "../lib/filter.js";
import { plural } from "../lib/format.js";
import { href, navigate } from "../lib/route.js";

const errorText = (cause: unknown) => (cause instanceof ApiError ? cause.message : String(cause));

type Discovery =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; nodes: string[] }
  | { state: "error"; message: string };

export function RunScreen({
  filter,
  onFilter,
  agent,
  action,
}: {
  filter: FilterText;
  onFilter: (next: FilterText) => void;
  agent?: string;
  action?: string;
}) {
  const [agents, setAgents] = useState<AgentSummary[]>();
  const [ddl, setDdl] = useState<AgentDdlJson>();
  const [loadError, setLoadError] = useState<string>();
  const [values, setValues] = useState<InputValues>({});
  const [serverErrors, setServerErrors] = useState<ValidationErrors>();
  const [options, setOptions] = useState<RunOptions>({});
  const [discovery, setDiscovery] = useState<Discovery>({ state: "idle" });
  const [confirming, setConfirming] = useState(false);
  const [runError, setRunError] = useState<string>();
  const [running, setRunning] = useState<{ id: string; action: ActionJson }>();

  useEffect(() => {
    api<{ agents: AgentSummary[] }>("GET", "/api/agents").then(
      (answer) => setAgents(answer.agents),
      (cause: unknown) => setLoadError(errorText(cause)),
    );
  }, []);

  useEffect(() => {
    setDdl(undefined);
    if (!agent) return;
    api<AgentDdlJson>("GET", `/api/agents/${encodeURIComponent(agent)}`).then(setDdl, (cause: unknown) =>
      setLoadError(errorText(cause)),
    );
  }, [agent]);

  const chosen = ddl && action ? ddl.actions[action] : undefined;

  useEffect(() => {
    setValues(chosen ? initialValues(chosen) : {});
    setServerErrors(undefined);
    setRunError(undefined);
  }, [chosen]);

  const discover = () => {
    setDiscovery({ state: "running" });
    api<{ nodes: string[] }>("POST", "/api/discover", { filter: filterSpec(filter) }).then(
      (answer) => setDiscovery({ state: "done", nodes: answer.nodes }),
      (cause: unknown) => setDiscovery({ state: "error", message: errorText(cause) }),
    );
  };

  const send = async (confirm: boolean) => {
    if (!agent || !action || !chosen) return;
    setRunError(undefined);
    setConfirming(false);
    try {
      const answer = await api<{ id: string }>("POST", "/api/requests", {
        agent,
        action,
        inputs: inputsToSend(chosen, values),
        filter: filterSpec(filter),
        ...options,
        ...(confirm ? { confirm: true } : {}),
      });
      setRunning({ id: answer.id, action: chosen });
    } catch (cause) {
      if (cause instanceof ApiError && cause.status === 409) {
        setConfirming(true);
        return;
      }
      const errors =
        cause instanceof ApiError ? (cause.body as { inputs?: ValidationErrors }).inputs : undefined;
      if (errors) setServerErrors(errors);
      setRunError(errorText(cause));
    }
  };

  return (
    <section>
      <h1>Run an action</h1>
      <FilterForm filter={filter} onFilter={onFilter} />
      <div class="toolbar">
        <button type="button" onClick={discover} disabled={discovery.state === "running"}>
          Discover now (broadcast)
        </button>
        <DiscoveryLine discovery={discovery} />
      </div>
      {loadError && (
        <p class="error" role="alert">
          {loadError}
        </p>
      )}
      <div class="pickers">
        <label>
          Agent
          <select
            name="agent"
            value={agent ?? ""}
            onChange={(e) => navigate({ screen: "run", agent: e.currentTarget.value || undefined })}
          >
            <option value="">(choose an agent)</option>
            {agents?.map((one) => (
              <option key={one.name} value={one.name}>
                {one.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action
          <select
            name="action"
            value={action ?? ""}
            disabled={!ddl}
            onChange={(e) => navigate({ screen: "run", agent, action: e.currentTarget.value || undefined })}
          >
            <option value="">(choose an action)</option>
            {ddl &&
              Object.keys(ddl.actions).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
          </select>
        </label>
      </div>
      {ddl && <p class="muted">{ddl.metadata.description}</p>}
      {agent && action && chosen && (
        <form
          class="card"
          aria-label="Action inputs"
          onSubmit={(e) => {
            e.preventDefault();
            void send(false);
          }}
        >
          <h2>
            {agent} {action}
          </h2>
          <p class="muted">{chosen.description}</p>
          <ActionForm
            agent={agent}
            action={action}
            ddl={chosen}
            values={values}
            onValues={(next) => {
              setValues(next);
              setServerErrors(undefined);
            }}
            serverErrors={serverErrors}
          />
          <RunOptionsForm options={options} onOptions={setOptions} />
          {runError && (
            <p class="error" role="alert" data-testid="run-error">
              {runError}
            </p>
          )}
          <button type="submit">Run</button>
        </form>
      )}
      {agent && ddl && action && !chosen && (
        <p class="error">
          {agent} has no action {action}.
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title="Run on every node?"
          message={`No filter is set: ${agent} ${action} goes to every node of the collective. mco asks the same before an unfiltered request.`}
          confirmLabel="Run on every node"
          onConfirm={() => void send(true)}
          onCancel={() => setConfirming(false)}
        />
      )}
      {running && (
        <div data-testid="running-request" data-request={running.id}>
          <p class="muted">
            Request <a href={href({ screen: "request", id: running.id })}>{running.id}</a> to{" "}
            {describeFilter(filterSpec(filter))}
          </p>
          <LiveResults key={running.id} id={running.id} action={running.action} />
        </div>
      )}
    </section>
  );
}

function DiscoveryLine({ discovery }: { discovery: Discovery }) {
  if (discovery.state === "idle") return null;
  if (discovery.state === "running") return <span class="muted">discovering…</span>;
  if (discovery.state === "error") return <span class="error">{discovery.message}</span>;
  return (
    <span data-testid="discovered">
      {plural(discovery.nodes.length, "node")} answered: {discovery.nodes.join(" ")}
    </span>
  );
}
