/**
 * The fleet as the registry knows it: every node that registered, when it
 * was last heard from, and what it runs. The filter narrows the list (and is
 * the same filter the Run screen sends); the search box matches identities,
 * classes, agents and fact values as plain text.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, queryString } from "../api/client.js";
import type { NodeSummary, NodesResponse } from "../api/types.js";
import { FilterForm } from "../components/filter-form.js";
import { VirtualRows } from "../components/virtual-rows.js";
import { type FilterText, filterParams, filterSpec } from "../lib/filter.js";
import { ago, plural } from "../lib/format.js";
import { href } from "../lib/route.js";
import { useDebounced } from "../lib/use-debounced.js";

type Listing =
  | { state: "loading" }
  | { state: "loaded"; answer: NodesResponse }
  | { state: "error"; message: string };

export function FleetScreen({
  filter,
  onFilter,
}: {
  filter: FilterText;
  onFilter: (next: FilterText) => void;
}) {
  const [search, setSearch] = useState("");
  const query = useDebounced({ filter, search }, 250);
  const [listing, setListing] = useState<Listing>({ state: "loading" });

  useEffect(() => {
    const abort = new AbortController();
    const params = { ...filterParams(filterSpec(query.filter)), q: query.search.trim() };
    api<NodesResponse>("GET", `/api/nodes${queryString(params)}`, undefined, { signal: abort.signal }).then(
      (answer) => setListing({ state: "loaded", answer }),
      (cause: unknown) => {
        if (!abort.signal.aborted)
          setListing({ state: "error", message: cause instanceof ApiError ? cause.message : String(cause) });
      },
    );
    return () => abort.abort();
  }, [query]);

  return (
    <section>
      <h1>Fleet</h1>
      <FilterForm filter={filter} onFilter={onFilter} />
      <div class="toolbar">
        <input
          type="search"
          name="search"
          placeholder="Search identities, classes, agents, fact values"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          aria-label="Search the fleet"
        />
        <a class="button" href={href({ screen: "run" })}>
          Run an action on these nodes
        </a>
      </div>
      {listing.state === "loading" && <p class="muted">Loading the registry…</p>}
      {listing.state === "error" && (
        <p class="error" role="alert">
          {listing.message}
        </p>
      )}
      {listing.state === "loaded" && <NodeTable nodes={listing.answer.nodes} total={listing.answer.count} />}
    </section>
  );
}

function NodeTable({ nodes, total }: { nodes: NodeSummary[]; total: number }) {
  if (nodes.length === 0) return <p class="muted">No node in the registry matches.</p>;
  return (
    <>
      <p class="muted">{plural(total, "node")}</p>
      <VirtualRows
        items={nodes}
        rowHeight={34}
        maxHeight={560}
        label="Nodes"
        testId="fleet-table"
        columns={["14rem", "10rem", "auto", "auto", "4rem"]}
        header={
          <tr>
            <th>Identity</th>
            <th>Last seen</th>
            <th>Agents</th>
            <th>Classes</th>
            <th>Facts</th>
          </tr>
        }
        row={(node) => (
          <tr key={node.identity} data-identity={node.identity}>
            <td>
              <a href={href({ screen: "node", identity: node.identity })}>{node.identity}</a>
            </td>
            <td class={node.stale ? "stale" : undefined} title={node.lastSeen}>
              {ago(node.lastSeen)}
              {node.stale && " (stale)"}
            </td>
            <td title={node.agents.join(" ")}>{node.agents.join(" ")}</td>
            <td title={node.classes.join(" ")}>{node.classes.join(" ")}</td>
            <td>{Object.keys(node.facts).length}</td>
          </tr>
        )}
      />
    </>
  );
}
