import { MalformedMessageError } from "@phobos/errors";
import { RubyRegexp, type RubyValue, sym } from "@phobos/ruby";
import type { CompoundToken, FactFilter, FactOperator, Filter, FunctionStatement } from "./filter.js";

const KEYWORDS = ["and", "or", "not", "(", ")"] as const;

function fstatementToRuby(f: FunctionStatement): Map<RubyValue, RubyValue> {
  // Key order as Matcher.create_function_hash builds it; "value" only when a field is named.
  const m = new Map<RubyValue, RubyValue>();
  m.set(
    "r_compare",
    typeof f.r_compare === "string"
      ? f.r_compare
      : new RubyRegexp(f.r_compare.regexp.source, f.r_compare.regexp.options),
  );
  m.set("operator", f.operator);
  if (f.value !== undefined) m.set("value", f.value);
  m.set("name", f.name);
  m.set("params", f.params);
  return m;
}

function tokenToRuby(token: CompoundToken): Map<RubyValue, RubyValue> {
  if ("statement" in token) return new Map([["statement", token.statement]]);
  if ("fstatement" in token) return new Map([["fstatement", fstatementToRuby(token.fstatement)]]);
  const [key, value] = Object.entries(token)[0] as [string, string];
  return new Map([[key, value]]);
}

/** The filter as MCollective puts it in `envelope[:filter]`: String keys, fact entries with Symbol keys. */
export function filterToRuby(filter: Filter): Map<RubyValue, RubyValue> {
  const m = new Map<RubyValue, RubyValue>([
    [
      "fact",
      filter.fact.map(
        (f) =>
          new Map<RubyValue, RubyValue>([
            [sym("fact"), f.fact],
            [sym("value"), f.value],
            [sym("operator"), f.operator],
          ]),
      ),
    ],
    ["cf_class", [...filter.cf_class]],
    ["agent", [...filter.agent]],
    ["identity", [...filter.identity]],
    ["compound", filter.compound.map((expr) => expr.map(tokenToRuby))],
  ]);
  if (filter.collective !== undefined) m.set("collective", filter.collective);
  return m;
}

function text(value: RubyValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "symbol") return Symbol.keyFor(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (value !== null && typeof value === "object" && "bytes" in value && "encoding" in value)
    return String(value);
  return undefined;
}

/** Looks a key up as a String and as a Symbol: MCollective peers are not consistent. */
function field(map: Map<RubyValue, RubyValue>, key: string): RubyValue | undefined {
  return map.has(key) ? map.get(key) : map.get(sym(key));
}

function strings(value: RubyValue | undefined, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedMessageError(`filter ${what} is not an Array`);
  return value.map((v) => {
    const s = text(v);
    if (s === undefined) throw new MalformedMessageError(`filter ${what} holds a non-String entry`);
    return s;
  });
}

function factFromRuby(value: RubyValue): FactFilter {
  if (!(value instanceof Map)) throw new MalformedMessageError("filter fact entry is not a Hash");
  const fact = text(field(value, "fact"));
  const v = text(field(value, "value"));
  const operator = text(field(value, "operator"));
  if (fact === undefined || v === undefined || operator === undefined) {
    throw new MalformedMessageError("filter fact entry needs :fact, :value and :operator Strings");
  }
  // An operator MCollective does not know is carried through, not refused: Ruby's
  // `has_fact?` simply never matches it, so the node counts the request as filtered.
  return { fact, value: v, operator: operator as FactOperator };
}

function fstatementFromRuby(value: RubyValue | undefined): FunctionStatement {
  if (!(value instanceof Map)) throw new MalformedMessageError("compound fstatement is not a Hash");
  const name = text(field(value, "name"));
  const operator = text(field(value, "operator"));
  const rawParams = field(value, "params");
  const params = rawParams === null || rawParams === undefined ? null : text(rawParams);
  const rawCompare = field(value, "r_compare");
  const fieldName = field(value, "value");
  if (name === undefined || operator === undefined || params === undefined) {
    throw new MalformedMessageError("compound fstatement needs name, operator and params");
  }
  let r_compare: FunctionStatement["r_compare"];
  if (rawCompare instanceof RubyRegexp) {
    r_compare = { regexp: { source: rawCompare.source, options: rawCompare.options } };
  } else {
    const s = text(rawCompare);
    if (s === undefined)
      throw new MalformedMessageError("compound fstatement r_compare is not a String or Regexp");
    r_compare = s;
  }
  const f: FunctionStatement = { name, params, operator, r_compare };
  if (fieldName !== undefined && fieldName !== null) {
    const v = text(fieldName);
    if (v === undefined) throw new MalformedMessageError("compound fstatement value is not a String");
    f.value = v;
  }
  return f;
}

function tokenFromRuby(value: RubyValue): CompoundToken {
  if (!(value instanceof Map) || value.size !== 1) {
    throw new MalformedMessageError("compound token is not a one-entry Hash");
  }
  const [rawKey, rawValue] = value.entries().next().value as [RubyValue, RubyValue];
  const key = text(rawKey);
  if (key === "statement") {
    const s = text(rawValue);
    if (s === undefined) throw new MalformedMessageError("compound statement is not a String");
    return { statement: s };
  }
  if (key === "fstatement") return { fstatement: fstatementFromRuby(rawValue) };
  const keyword = KEYWORDS.find((k) => k === key);
  if (keyword) return { [keyword]: keyword } as CompoundToken;
  throw new MalformedMessageError(`compound token '${key}' is unknown`);
}

/** Reads `envelope[:filter]` from a peer, refusing shapes MCollective never sends. */
export function filterFromRuby(value: RubyValue | undefined): Filter {
  if (value === undefined || value === null) {
    return { fact: [], cf_class: [], agent: [], identity: [], compound: [] };
  }
  if (!(value instanceof Map)) throw new MalformedMessageError("filter is not a Hash");
  const compound = field(value, "compound");
  if (compound !== undefined && compound !== null && !Array.isArray(compound)) {
    throw new MalformedMessageError("filter compound is not an Array");
  }
  const facts = field(value, "fact");
  if (facts !== undefined && facts !== null && !Array.isArray(facts)) {
    throw new MalformedMessageError("filter fact is not an Array");
  }
  const filter: Filter = {
    fact: (facts ?? []).map(factFromRuby),
    // puppet_class is the 1.x name of cf_class; validate_filter? still honours it
    cf_class: [
      ...strings(field(value, "cf_class"), "cf_class"),
      ...strings(field(value, "puppet_class"), "puppet_class"),
    ],
    agent: strings(field(value, "agent"), "agent"),
    identity: strings(field(value, "identity"), "identity"),
    compound: ((compound ?? []) as RubyValue[]).map((expr) => {
      if (!Array.isArray(expr)) throw new MalformedMessageError("compound expression is not an Array");
      return expr.map(tokenFromRuby);
    }),
  };
  const collective = text(field(value, "collective"));
  if (collective !== undefined) filter.collective = collective;
  return filter;
}
