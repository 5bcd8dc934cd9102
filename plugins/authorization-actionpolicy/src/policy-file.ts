/**
 * MCollective's action policy files (`<configdir>/policies/<agent>.policy`),
 * read unchanged:
 *
 *     # comment
 *     policy default deny
 *     allow<TAB>cert=admin<TAB>*<TAB>*<TAB>*
 *     allow<TAB>cert=dev sysadmins<TAB>status restart<TAB>customer=acme<TAB>acme::devserver
 *     allow<TAB>cert=ops<TAB>restart<TAB>(puppet().enabled=false and environment=production) or environment=development
 *
 * Rules are `allow|deny`, callers, actions, facts and (optionally) classes,
 * separated by one or more tabs. Where Ruby's plugin skipped a line it could
 * not read (with a warning, which could leave an agent open), this parser
 * reports it with its line number: a policy that does not parse denies its
 * agent instead.
 */
import { type CompoundExpression, parseCompound } from "@phobos/core";

export type Effect = "allow" | "deny";

/** A facts or classes column: anything, a list (all must hold), or one `-S` expression. */
export type Condition =
  | { kind: "any" }
  | { kind: "list"; items: string[] }
  | { kind: "compound"; text: string; expression: CompoundExpression };

export interface PolicyRule {
  line: number;
  effect: Effect;
  /** `*`, or caller ids, `/regex/` patterns and group names. */
  callers: "*" | string[];
  actions: "*" | string[];
  facts: Condition;
  /** Absent (four columns) matches, as `*` does. */
  classes: Condition;
}

export interface Policy {
  /** From `policy default allow|deny`; absent means `plugin.actionpolicy.allow_unconfigured` decides. */
  defaultEffect: Effect | undefined;
  rules: PolicyRule[];
}

export class PolicySyntaxError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = "PolicySyntaxError";
    this.file = file;
    this.line = line;
  }
}

/** ActionPolicy#is_compound?: a word that only a `-S` expression has. */
export function isCompound(text: string): boolean {
  return text.split(/\s+/).some((token) => /^!|^not$|^or$|^and$|\(.+\)/.test(token));
}

/** A fact filter statement (`fact=value`, `fact>=3`, `fact=/re/`), as ActionPolicy#lookup tells it from a class. */
const FACT_STATEMENT = /(.+)(<|>|=|<=|>=)(.+)/;

function condition(text: string, column: "facts" | "classes", file: string, line: number): Condition {
  if (text === "*") return { kind: "any" };
  if (isCompound(text)) {
    try {
      return { kind: "compound", text, expression: parseCompound(text) };
    } catch (err) {
      throw new PolicySyntaxError(
        file,
        line,
        `the ${column} column is not a valid -S expression: ${(err as Error).message}`,
      );
    }
  }
  const items = text.split(/\s+/).filter((t) => t !== "");
  for (const item of items) {
    const fact = FACT_STATEMENT.test(item);
    if (column === "facts" && !fact) {
      throw new PolicySyntaxError(
        file,
        line,
        `'${item}' in the facts column is not fact=value (a class? put it in the classes column)`,
      );
    }
    if (column === "classes" && fact) {
      throw new PolicySyntaxError(
        file,
        line,
        `'${item}' in the classes column is a fact (put it in the facts column)`,
      );
    }
    try {
      // A list item is judged as a one-statement expression: check it reads as one.
      parseCompound(item);
    } catch (err) {
      throw new PolicySyntaxError(file, line, `'${item}' in the ${column} column: ${(err as Error).message}`);
    }
  }
  return { kind: "list", items };
}

function words(text: string): "*" | string[] {
  return text === "*" ? "*" : text.split(/\s+/).filter((t) => t !== "");
}

export function parsePolicy(text: string, file: string): Policy {
  let defaultEffect: Effect | undefined;
  let defaultLine = 0;
  const rules: PolicyRule[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/[ \t\r]+$/, "");
    if (/^(#.*|\s*)$/.test(content)) return;
    const policy = /^policy\s+default\s+(\S+)(?:\s+#.*)?$/.exec(content);
    if (policy) {
      const effect = policy[1];
      if (effect !== "allow" && effect !== "deny") {
        throw new PolicySyntaxError(file, line, `'policy default ${effect}': the default is allow or deny`);
      }
      if (defaultEffect !== undefined) {
        throw new PolicySyntaxError(
          file,
          line,
          `a second 'policy default' line (the first is line ${defaultLine})`,
        );
      }
      defaultEffect = effect;
      defaultLine = line;
      return;
    }
    const fields = content.split(/\t+/);
    const effect = fields[0];
    if (effect !== "allow" && effect !== "deny") {
      throw new PolicySyntaxError(
        file,
        line,
        /^(allow|deny)\s/.test(content)
          ? "rule fields must be separated by tabs, not spaces"
          : `cannot parse '${content}': expected 'policy default allow|deny' or a tab-separated allow|deny rule`,
      );
    }
    if (fields.length < 4 || fields.length > 5) {
      throw new PolicySyntaxError(
        file,
        line,
        `a rule has 4 or 5 tab-separated fields (allow|deny, callers, actions, facts[, classes]), this one has ${fields.length}`,
      );
    }
    const [, callers, actions, facts, classes] = fields as [
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    rules.push({
      line,
      effect,
      callers: words(callers),
      actions: words(actions),
      facts: condition(facts, "facts", file, line),
      classes: classes === undefined ? { kind: "any" } : condition(classes, "classes", file, line),
    });
  });
  return { defaultEffect, rules };
}

/**
 * `<configdir>/policies/groups`: `name callerid callerid …`, one group a
 * line, names of letters, digits, `.`, `-` and `_`.
 */
export function parseGroups(text: string, file: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  text.split("\n").forEach((raw, index) => {
    if (/^(#.*|\s*)$/.test(raw)) return;
    const [name, ...members] = raw.trim().split(/\s+/);
    if (name === undefined || !/^[\w.-]+$/.test(name)) {
      throw new PolicySyntaxError(
        file,
        index + 1,
        `'${raw.trim()}' is not in the format 'group_name caller_id caller_id …'`,
      );
    }
    if (members.length > 0) groups.set(name, members);
  });
  return groups;
}
