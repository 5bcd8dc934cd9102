/**
 * The filter boxes with the live count of matching registry nodes under
 * them: the count follows what is typed (a quarter-second after the last
 * key), and a filter the server cannot parse says why instead of a number.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, queryString } from "../api/client.js";
import { type FilterText, filterParams, filterSpec } from "../lib/filter.js";
import { useDebounced } from "../lib/use-debounced.js";

const FIELDS: { key: keyof FilterText; label: string; flag: string; placeholder: string }[] = [
  { key: "identity", label: "Identity", flag: "-I", placeholder: "web1 /^db/" },
  { key: "fact", label: "Fact", flag: "-F", placeholder: "osfamily=Debian role=web" },
  { key: "class", label: "Class", flag: "-C", placeholder: "role::web" },
  { key: "agent", label: "Agent", flag: "-A", placeholder: "package" },
  { key: "compound", label: "Compound", flag: "-S", placeholder: "role=web and not datacenter=dc2" },
];

type Count =
  | { state: "counting"; previous?: number }
  | { state: "counted"; count: number }
  | { state: "error"; message: string };

export function FilterForm({
  filter,
  onFilter,
}: {
  filter: FilterText;
  onFilter: (next: FilterText) => void;
}) {
  const settled = useDebounced(filter, 250);
  const [count, setCount] = useState<Count>({ state: "counting" });

  useEffect(() => {
    const abort = new AbortController();
    // The last number stays on screen, dimmed, while the new one is asked for.
    setCount((last) => ({ state: "counting", previous: last.state === "counted" ? last.count : undefined }));
    api<{ count: number }>(
      "GET",
      `/api/nodes/count${queryString(filterParams(filterSpec(settled)))}`,
      undefined,
      {
        signal: abort.signal,
      },
    ).then(
      (answer) => setCount({ state: "counted", count: answer.count }),
      (cause: unknown) => {
        if (abort.signal.aborted) return;
        setCount({ state: "error", message: cause instanceof ApiError ? cause.message : String(cause) });
      },
    );
    return () => abort.abort();
  }, [settled]);

  return (
    <fieldset class="filter">
      <legend>Filter</legend>
      <div class="filter-fields">
        {FIELDS.map((field) => (
          <label key={field.key} class={field.key === "compound" ? "wide" : undefined}>
            <span>
              {field.label} <code>{field.flag}</code>
            </span>
            <input
              name={`filter-${field.key}`}
              value={filter[field.key]}
              placeholder={field.placeholder}
              spellcheck={false}
              onInput={(e) => onFilter({ ...filter, [field.key]: e.currentTarget.value })}
            />
          </label>
        ))}
      </div>
      <p class="count" data-testid="live-count" data-state={count.state} aria-live="polite">
        {count.state === "counting" && (
          <span class="muted">
            {count.previous === undefined ? "counting…" : `${count.previous} … counting`}
          </span>
        )}
        {count.state === "counted" && (
          <>
            <strong data-testid="live-count-value">{count.count}</strong>{" "}
            {count.count === 1 ? "node matches" : "nodes match"} in the registry
          </>
        )}
        {count.state === "error" && <span class="error">{count.message}</span>}
      </p>
    </fieldset>
  );
}
