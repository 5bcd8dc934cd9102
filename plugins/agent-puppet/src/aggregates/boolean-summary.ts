import { type AggregateRun, defineAggregate } from "@phobos/core";

/** The labels a DDL gives true and false: `{true: "enabled", false: "disabled"}` (a Hash from Ruby DDLs). */
function labels(arg: unknown): { true: unknown; false: unknown } {
  const fallback = { true: "True", false: "False" };
  if (arg instanceof Map) {
    const get = (key: boolean) => {
      for (const [k, v] of arg) {
        const name = typeof k === "symbol" ? Symbol.keyFor(k) : String(k);
        if (name === String(key)) return v;
      }
      return fallback[String(key) as "true" | "false"];
    };
    return { true: get(true), false: get(false) };
  }
  if (arg !== null && typeof arg === "object") {
    const o = arg as Record<string, unknown>;
    return { true: o.true ?? fallback.true, false: o.false ?? fallback.false };
  }
  return fallback;
}

/** `boolean_summary(:enabled, {:true => "enabled", :false => "disabled"})`: counts of each label. */
export default defineAggregate({
  name: "boolean_summary",
  description: "Aggregate function that will transform true/false values into predefined strings.",
  create: () => ({
    start({ output, args, format }): AggregateRun {
      const names = labels(args[0]);
      const counts = new Map<unknown, number>();
      const add = (value: unknown) => {
        const label = value === true ? names.true : value === false ? names.false : undefined;
        counts.set(label, (counts.get(label) ?? 0) + 1);
      };
      return {
        process(value) {
          if (value === null || value === undefined) return;
          if (Array.isArray(value)) value.forEach(add);
          else add(value);
        },
        result() {
          return { type: "collection", value: counts, output, format: format ?? "%5s = %s" };
        },
      };
    },
  }),
});
