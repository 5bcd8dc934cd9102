/** mco's --limit-nodes/--limit-method and --batch/--batch-sleep, for the console. */
import type { RunOptions } from "../api/types.js";

export function RunOptionsForm({
  options,
  onOptions,
}: {
  options: RunOptions;
  onOptions: (next: RunOptions) => void;
}) {
  const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
  return (
    <fieldset class="options">
      <legend>Options</legend>
      <label>
        Limit to <small class="muted">(nodes, or a percentage: 10%)</small>
        <input
          name="limit"
          value={options.limit ?? ""}
          placeholder="all"
          onInput={(e) => onOptions({ ...options, limit: e.currentTarget.value.trim() || undefined })}
        />
      </label>
      <label>
        Pick
        <select
          name="limitMethod"
          value={options.limitMethod ?? "first"}
          onChange={(e) =>
            onOptions({ ...options, limitMethod: e.currentTarget.value as "first" | "random" })
          }
        >
          <option value="first">first to answer</option>
          <option value="random">at random</option>
        </select>
      </label>
      <label>
        Batch size
        <input
          name="batchSize"
          inputMode="numeric"
          value={options.batchSize ?? ""}
          placeholder="no batches"
          onInput={(e) => onOptions({ ...options, batchSize: number(e.currentTarget.value) })}
        />
      </label>
      <label>
        Seconds between batches
        <input
          name="batchSleep"
          inputMode="decimal"
          value={options.batchSleep ?? ""}
          placeholder="1"
          onInput={(e) => onOptions({ ...options, batchSleep: number(e.currentTarget.value) })}
        />
      </label>
    </fieldset>
  );
}
