/**
 * The filter a request carries, in the shape MCollective puts on the wire
 * (`envelope[:filter]`, a Hash with String keys; fact entries have Symbol keys).
 * Converting to and from Ruby values lives in `filter-codec.ts`.
 */

/** Operators `-F`/`-W` accept after normalisation (`=` → `==`, `=/re/` → `=~`, `=>` → `>=`, `=<` → `<=`). */
export type FactOperator = "==" | "=~" | "!=" | "<" | ">" | "<=" | ">=";

export interface FactFilter {
  fact: string;
  /** Regexes keep their slashes (`/w.b/`), as MCollective 1.x expected. */
  value: string;
  operator: FactOperator;
}

/** A Ruby `Regexp` carried in an `fstatement`'s `r_compare` (`fact('x').value=/re/`). */
export interface RegexpValue {
  readonly regexp: { source: string; options: number };
}

/** A data-plugin call in a compound filter: `fstat("/etc/hosts").size>10`. */
export interface FunctionStatement {
  name: string;
  /** The single argument, quotes removed; `null` for `name()`. */
  params: string | null;
  /** The output field compared (`size`); absent for `name('x')=y` without a field. */
  value?: string;
  /** `==`, `!=`, `<`, `>`, `<=`, `>=`, `=~`, `!=~` */
  operator: string;
  r_compare: string | RegexpValue;
}

export type CompoundToken =
  | { statement: string }
  | { fstatement: FunctionStatement }
  | { and: "and" }
  | { or: "or" }
  | { not: "not" }
  | { "(": "(" }
  | { ")": ")" };

/** One `-S` expression, already tokenised into MCollective's execution stack. */
export type CompoundExpression = CompoundToken[];

export interface Filter {
  fact: FactFilter[];
  cf_class: string[];
  agent: string[];
  identity: string[];
  compound: CompoundExpression[];
  /** Added by `Client#discover` (mco find, RPC discovery); daemons ignore it. */
  collective?: string;
}

/** `Util.empty_filter`: what `mco ping` without options sends. */
export function emptyFilter(): Filter {
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [] };
}

/** MCollective's `Util.empty_filter?`: nothing that would narrow the audience. */
export function isEmptyFilter(filter: Filter): boolean {
  return (
    filter.fact.length === 0 &&
    filter.cf_class.length === 0 &&
    filter.agent.length === 0 &&
    filter.identity.length === 0 &&
    filter.compound.length === 0
  );
}
