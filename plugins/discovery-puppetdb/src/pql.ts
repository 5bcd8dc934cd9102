/**
 * A request filter as one PQL query over PuppetDB's active nodes, saying
 * what the daemons' own filter matching says (packages/core/src/filter):
 *
 * - identity (`-I`): exactly one entry must match, as on a daemon
 *   (`-I node1 -I /node/` selects nothing on node1);
 * - class (`-C`): daemons read lowercase names from classes.txt, PuppetDB
 *   holds the catalog's `Class` resources with capitalised titles
 *   (`role::web` is `Role::Web`);
 * - agent (`-A`): PuppetDB knows no agents; an agent is the class
 *   `mcollective_agent_<name>` its Puppet module declares (Choria's
 *   convention; `rpcutil` is also the class `mcollective`);
 * - fact (`-F`, `-W`): a fact's leaf values (`fact_contents`), the fact
 *   itself or the elements of an Array fact, compared as daemons compare;
 * - compound (`-S`): statements, `and`, `or`, `not` and parentheses.
 *
 * What PQL cannot say exactly throws PqlUnsupportedError naming the part.
 */
import type { CompoundExpression, FactFilter, Filter } from "@phobos/core";
import { compileRubyRegexp } from "@phobos/core";
import { PqlUnsupportedError } from "./errors.js";
import { PgRegexpError, type PgRegexpOptions, toPgRegexp } from "./pg-regexp.js";

/** A PQL condition, or a constant the filter folded to. */
type Cond = string | boolean;

/** PuppetDB's certname is never empty: the one condition nothing meets. */
const NOTHING = 'certname = ""';
const MAX_IDENTITY_REGEX_ENTRIES = 50;

/** A PQL string literal. */
export function pqlString(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new PqlUnsupportedError(JSON.stringify(value), "control characters in a value");
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function and(conds: Cond[]): Cond {
  if (conds.includes(false)) return false;
  const rest = conds.filter((c): c is string => c !== true);
  if (rest.length === 0) return true;
  return rest.length === 1 ? (rest[0] as string) : rest.map((c) => `(${c})`).join(" and ");
}

function or(conds: Cond[]): Cond {
  if (conds.includes(true)) return true;
  const rest = conds.filter((c): c is string => c !== false);
  if (rest.length === 0) return false;
  return rest.length === 1 ? (rest[0] as string) : rest.map((c) => `(${c})`).join(" or ");
}

function not(cond: Cond): Cond {
  return typeof cond === "boolean" ? !cond : `!(${cond})`;
}

function regexp(source: string, part: string, options: PgRegexpOptions = {}) {
  try {
    return toPgRegexp(source, options);
  } catch (e) {
    if (e instanceof PgRegexpError) throw new PqlUnsupportedError(part, e.message);
    throw e;
  }
}

/** MCollective's `/re/` convention for identities, classes and agents: every `/` is dropped. */
function slashed(value: string): string | undefined {
  return compileRubyRegexp("^/").test(value) ? value.replaceAll("/", "") : undefined;
}

/** `role::web` → `Role::Web`, as Puppet titles a class. */
function classTitle(name: string): string {
  return name
    .split("::")
    .map((s) => (s === "" ? s : `${s[0]?.toUpperCase()}${s.slice(1)}`))
    .join("::");
}

function classResource(condition: string): string {
  return `resources { type = "Class" and ${condition} }`;
}

function lowercaseName(value: string, what: string): void {
  if (value !== value.toLowerCase()) {
    throw new PqlUnsupportedError(
      `the ${what} '${value}'`,
      "Puppet class names are lowercase, as the daemons' classes.txt lists them; this would match no daemon",
    );
  }
}

export function identityCondition(entries: readonly string[]): Cond {
  if (entries.length === 0) return true;
  const conds = entries.map((entry) => {
    const re = slashed(entry);
    if (re === undefined) return { plain: entry, cond: `certname = ${pqlString(entry)}` };
    return { cond: `certname ~ ${pqlString(regexp(re, `the identity filter '${entry}'`).source)}` };
  });
  if (conds.every((c) => c.plain !== undefined)) {
    // Distinct names never match together; a repeated one matches twice: nothing.
    const counts = new Map<string, number>();
    for (const c of conds) counts.set(c.plain as string, (counts.get(c.plain as string) ?? 0) + 1);
    return or(conds.filter((c) => counts.get(c.plain as string) === 1).map((c) => c.cond));
  }
  if (conds.length > MAX_IDENTITY_REGEX_ENTRIES) {
    throw new PqlUnsupportedError(
      `${conds.length} identity filters with regexes`,
      `"exactly one matches" grows with the square of their number; use at most ${MAX_IDENTITY_REGEX_ENTRIES}`,
    );
  }
  return or(conds.map((c, i) => and([c.cond, ...conds.filter((_, j) => j !== i).map((o) => not(o.cond))])));
}

export function classCondition(entry: string): Cond {
  const re = slashed(entry);
  const part = `the class filter '${entry}'`;
  if (re !== undefined) {
    return classResource(`title ~ ${pqlString(regexp(re, part, { foldCase: true }).source)}`);
  }
  lowercaseName(entry, "class");
  return classResource(`title = ${pqlString(classTitle(entry))}`);
}

export function agentCondition(entry: string): Cond {
  const re = slashed(entry);
  const part = `the agent filter '${entry}'`;
  if (re !== undefined) {
    const { source, anchored } = regexp(re, part, { foldCase: true, suffix: true });
    // source starts with (?i): the prefix goes after it.
    const body = source.slice("(?i)".length);
    const pattern = `(?i)^mcollective_agent_${anchored ? "" : "[^\\n]*"}(?:${body})`;
    return classResource(`title ~ ${pqlString(pattern)}`);
  }
  // Every daemon answers for "mcollective", as MCollective's matcher does.
  if (entry === "mcollective") return true;
  lowercaseName(entry, "agent");
  const titles = [classTitle(`mcollective_agent_${entry}`), ...(entry === "rpcutil" ? ["Mcollective"] : [])];
  return or(titles.map((t) => classResource(`title = ${pqlString(t)}`)));
}

const INTEGER = /^[0-9]+$/;
const DECIMAL = /^[0-9]+\.[0-9]+$/;

/** The number PuppetDB would store for `value`, when `value` is how it prints it. */
function canonicalNumber(value: string): string | undefined {
  if (!INTEGER.test(value) && !DECIMAL.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && String(n) === value ? value : undefined;
}

/** `value == wanted` on a leaf, where daemons see numbers and booleans as their text. */
function equals(wanted: string): string {
  const alternatives = [`value = ${pqlString(wanted)}`];
  const number = canonicalNumber(wanted);
  if (number !== undefined) alternatives.push(`value = ${number}`);
  if (wanted === "true" || wanted === "false") alternatives.push(`value = ${wanted}`);
  return or(alternatives) as string;
}

function valueTest(filter: FactFilter, part: string): string {
  const { value, operator } = filter;
  switch (operator) {
    case "==":
      return equals(value);
    case "!=":
      return not(equals(value)) as string;
    case "=~": {
      // As the daemons do: a "/re/" value loses its slashes.
      const inner = compileRubyRegexp("^\\/(.+)\\/$").exec(value)?.[1] ?? value;
      return `value ~ ${pqlString(regexp(inner, part).source)}`;
    }
    case "<":
    case ">":
    case "<=":
    case ">=": {
      // Daemons compare numerically only when both sides look like integers
      // (or both like decimals, by Ruby's loose /^[0-9]+.[0-9]+$/), else as text.
      if (INTEGER.test(value)) return `value ${operator} ${BigInt(value).toString()} and value ~ "^[0-9]+$"`;
      if (DECIMAL.test(value))
        return `value ${operator} ${Number(value)} and value ~ "^[0-9]+[^\\\\n][0-9]+$"`;
      throw new PqlUnsupportedError(part, `PuppetDB orders numbers only, and '${value}' is not one`);
    }
    default:
      throw new PqlUnsupportedError(part, `unknown operator '${operator}'`);
  }
}

export function factCondition(filter: FactFilter): Cond {
  const part = `the fact filter '${filter.fact}${filter.operator}${filter.value}'`;
  if (filter.fact === "" || filter.fact.includes(".")) {
    throw new PqlUnsupportedError(part, "only top-level fact names are supported (no dotted paths)");
  }
  const test = valueTest(filter, part);
  const name = pqlString(filter.fact);
  // The fact itself when it is a scalar, or any element of an Array fact.
  const element = pqlString(`^${regexp(escapeRegexp(filter.fact), part).source}$`);
  return or([
    `fact_contents { path = [${name}] and ${paren(test)} }`,
    `fact_contents { path ~> [${element}, "^[0-9]+$"] and ${paren(test)} }`,
  ]);
}

function paren(cond: string): string {
  return /\s(and|or)\s/.test(cond) ? `(${cond})` : cond;
}

function escapeRegexp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

// ------------------------------------------------------------------ compound

/** `Matcher.eval_compound_statement`'s reading of one `-S` statement. */
function statementCondition(statement: string): Cond {
  if (compileRubyRegexp("^\\/").test(statement)) return classCondition(statement);
  const comparison = compileRubyRegexp(">=|<=|=|<|>").exec(statement);
  if (!comparison) return classCondition(statement);
  const op = comparison[0];
  const parts = statement.split(op);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  const [name = "", value] = parts;
  if (value === undefined) {
    throw new PqlUnsupportedError(`the -S statement '${statement}'`, "it has nothing to compare with");
  }
  const operator = value.startsWith("/") ? "=~" : op === "=" ? "==" : op;
  return factCondition({ fact: name, value, operator: operator as FactFilter["operator"] });
}

type Item = Cond | "and" | "or" | "not" | "(" | ")";

/** One `-S` expression, read with Ruby's precedence (`not` > `and` > `or`). */
export function compoundCondition(expression: CompoundExpression): Cond {
  const items: Item[] = [];
  for (const token of expression) {
    if ("statement" in token) items.push(statementCondition(token.statement));
    else if ("fstatement" in token) {
      const f = token.fstatement;
      throw new PqlUnsupportedError(
        `the -S function ${f.name}(${f.params === null ? "" : JSON.stringify(f.params)})${f.value === undefined ? "" : `.${f.value}`}`,
        "data plugins run on the daemons; PuppetDB cannot evaluate them",
      );
    } else if ("and" in token) items.push("and");
    else if ("or" in token) items.push("or");
    else if ("not" in token) items.push("not");
    else if ("(" in token) items.push("(");
    else if (")" in token) items.push(")");
  }
  if (items.length === 0) return false;
  let pos = 0;
  const fail = (): never => {
    throw new PqlUnsupportedError("the -S expression", "it is not a boolean expression");
  };
  const orExpr = (): Cond => {
    const terms = [andExpr()];
    while (items[pos] === "or") {
      pos += 1;
      terms.push(andExpr());
    }
    return or(terms);
  };
  const andExpr = (): Cond => {
    const terms = [notExpr()];
    while (items[pos] === "and") {
      pos += 1;
      terms.push(notExpr());
    }
    return and(terms);
  };
  const notExpr = (): Cond => {
    let negations = 0;
    while (items[pos] === "not") {
      negations += 1;
      pos += 1;
    }
    const value = primary();
    return negations % 2 === 1 ? not(value) : value;
  };
  const primary = (): Cond => {
    const item = items[pos];
    if (
      typeof item === "boolean" ||
      (typeof item === "string" && !["and", "or", "not", "(", ")"].includes(item))
    ) {
      pos += 1;
      return item as Cond;
    }
    if (item !== "(") return fail();
    pos += 1;
    if (items[pos] === ")") {
      pos += 1;
      return false;
    }
    const value = orExpr();
    if (items[pos] !== ")") fail();
    pos += 1;
    return value;
  };
  const result = orExpr();
  if (pos !== items.length) fail();
  return result;
}

/**
 * The whole filter as one PQL query for the certnames of active nodes
 * (neither deactivated nor expired), sorted; with `environment`, only nodes
 * whose last facts came from that Puppet environment.
 */
export function filterToPql(filter: Filter, options: { environment?: string } = {}): string {
  const cond = and([
    identityCondition(filter.identity),
    ...filter.cf_class.map(classCondition),
    ...filter.agent.map(agentCondition),
    ...filter.fact.map(factCondition),
    ...filter.compound.map(compoundCondition),
  ]);
  const where = cond === true ? "" : ` and (${cond === false ? NOTHING : cond})`;
  const env =
    options.environment === undefined ? "" : ` and facts_environment = ${pqlString(options.environment)}`;
  return `nodes[certname] { node_state = "active"${env}${where} order by certname }`;
}
