/** mco's --limit-nodes, --batch and --batch-sleep, for the console. */
import type { RunOptions } from "../api/types.js";

const text = (value: number | string | undefined) => (value === undefined ? "" : String(value));

export function RunOptionsForm({
  options,
  onOptions,
}: {
  options: RunOptions;
  onOptions: (next: RunOptions) => void;
}) {
  return (
    <fieldset class="options">
      <legend>Options</legend>
      <label>
        Limit to <small class="muted">(nodes, or a percentage: 10%)</small>
        <input
          name="limit"
          value={text(options.limit)}
          placeholder="all"
          onInput={(e) => onOptions({ ...options, limit: e.currentTarget.value.trim() || undefined })}
        />
      </label>
      <label>
        Batch size <small class="muted">(nodes, or a percentage)</small>
        <input
          name="batchSize"
          value={text(options.batchSize)}
          placeholder="no batches"
          onInput={(e) => onOptions({ ...options, batchSize: e.currentTarget.value.trim() || undefined })}
        />
      </label>
      <label>
        Seconds between batches
        <input
          name="batchSleep"
          inputMode="decimal"
          value={text(options.batchSleep)}
          placeholder="1"
          onInput={(e) => {
            const value = e.currentTarget.value.trim();
            onOptions({ ...options, batchSleep: value === "" ? undefined : Number(value) });
          }}
        />
      </label>
    </fieldset>
  );
}
