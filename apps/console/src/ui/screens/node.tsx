/**
 * One node: what its registrations said (facts, classes, agents,
 * collectives), and on demand what it says now — `rpcutil inventory`, the
 * content of `mco inventory <identity>`.
 */
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api/client.js";
import type { NodeResponse, NodeSummary } from "../api/types.js";
import { ago, valueText } from "../lib/format.js";

type Load<T> = { state: "loading" } | { state: "loaded"; value: T } | { state: "error"; message: string };

const errorText = (cause: unknown) => (cause instanceof ApiError ? cause.message : String(cause));

export function NodeScreen({ identity }: { identity: string }) {
  const [node, setNode] = useState<Load<NodeSummary>>({ state: "loading" });
  const [inventory, setInventory] = useState<Load<NonNullable<NodeResponse["inventory"]>>>();

  useEffect(() => {
    setNode({ state: "loading" });
    setInventory(undefined);
    api<NodeResponse>("GET", `/api/nodes/${encodeURIComponent(identity)}`).then(
      (value) => setNode({ state: "loaded", value: value.node }),
      (cause: unknown) => setNode({ state: "error", message: errorText(cause) }),
    );
  }, [identity]);

  const runInventory = () => {
    setInventory({ state: "loading" });
    api<NodeResponse>("GET", `/api/nodes/${encodeURIComponent(identity)}?inventory=1`).then(
      (value) => setInventory({ state: "loaded", value: value.inventory ?? {} }),
      (cause: unknown) => setInventory({ state: "error", message: errorText(cause) }),
    );
  };

  return (
    <section>
      <h1 data-testid="node-identity">{identity}</h1>
      {node.state === "loading" && <p class="muted">Loading…</p>}
      {node.state === "error" && (
        <p class="error" role="alert">
          {node.message}
        </p>
      )}
      {node.state === "loaded" && (
        <>
          <dl class="facts-inline">
            <dt>Last seen</dt>
            <dd>
              {ago(node.value.lastSeen)}
              {node.value.stale && <span class="stale"> (stale)</span>}
            </dd>
            <dt>Collectives</dt>
            <dd>{node.value.collectives.join(" ")}</dd>
            <dt>Agents</dt>
            <dd>{node.value.agents.join(" ")}</dd>
            <dt>Classes</dt>
            <dd>{node.value.classes.join(" ")}</dd>
          </dl>
          <h2>Facts</h2>
          <FactTable facts={node.value.facts} />
        </>
      )}
      <h2>Inventory</h2>
      <p class="muted">
        Asks the node itself now, as <code>mco inventory {identity}</code> does.
      </p>
      <button type="button" onClick={runInventory} disabled={inventory?.state === "loading"}>
        Run inventory
      </button>
      {inventory?.state === "loading" && <p class="muted">Waiting for {identity}…</p>}
      {inventory?.state === "error" && (
        <p class="error" role="alert">
          {inventory.message}
        </p>
      )}
      {inventory?.state === "loaded" && <Inventory inventory={inventory.value} />}
    </section>
  );
}

function FactTable({ facts }: { facts: Record<string, unknown> }) {
  const names = Object.keys(facts).sort();
  if (names.length === 0) return <p class="muted">No facts registered.</p>;
  return (
    <table class="kv" data-testid="facts">
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{valueText(facts[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The keys `mco inventory` prints first, in its order; any others follow. */
const INVENTORY_ORDER = ["version", "main_collective", "collectives", "agents", "data_plugins", "classes"];

function Inventory({ inventory }: { inventory: NonNullable<NodeResponse["inventory"]> }) {
  const data = inventory.inventory;
  if (!data) {
    return (
      <p class="error" role="alert" data-testid="inventory">
        No inventory: {inventory.statusmsg ?? "the node did not answer"}
      </p>
    );
  }
  const keys = [
    ...INVENTORY_ORDER.filter((key) => key in data),
    ...Object.keys(data).filter((key) => !INVENTORY_ORDER.includes(key) && key !== "facts"),
  ];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(valueText).join(" ") : valueText(value));
  return (
    <div class="inventory" data-testid="inventory">
      <dl class="facts-inline">
        {keys.map((key) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>{list(data[key])}</dd>
          </Fragment>
        ))}
      </dl>
      <h3>Facts</h3>
      <FactTable facts={(data.facts ?? {}) as Record<string, unknown>} />
    </div>
  );
}
