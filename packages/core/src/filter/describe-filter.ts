/**
 * `mco describe_filter`: the filter explained in words, line for line as
 * MCollective's application prints it (fact and class filters, then the
 * first `-S` expression; identity and agent filters are not described).
 */

import { rubySplit } from "@phobos/ruby";
import type { CompoundExpression, Filter } from "../message/filter.js";
import { rubyRegexpToString } from "./ruby-pattern.js";

function factLine(fact: string, value: string, operator: string): string {
  return `Check if fact '${fact}' ${operator} '${value}'`;
}

function classLine(klass: string): string {
  return `Check if class '${klass}' is present on the host`;
}

function describeCompound(expression: CompoundExpression): string[] {
  const lines = ["-S Query expands to the following instructions:", ""];
  // Ruby remembers one level only: after nested parentheses close, the indent stays one level in.
  let indent = "  ";
  let previousIndent = "  ";
  for (const token of expression) {
    if ("statement" in token) {
      const op = /(<=|>=|=|=~|=)/.exec(token.statement)?.[1];
      if (op) {
        const [fact = "", value = ""] = rubySplit(token.statement, op);
        lines.push(indent + factLine(fact, value, op));
      } else {
        lines.push(indent + classLine(token.statement));
      }
    } else if ("fstatement" in token) {
      const f = token.fstatement;
      const compare = typeof f.r_compare === "string" ? f.r_compare : rubyRegexpToString(f.r_compare);
      const params = f.params === null ? "" : ` with parameters (${f.params})`;
      lines.push(
        `${indent}Execute the Data Query '${f.name}'${params}. ` +
          `Check if the query's '${f.value ?? ""}' value ${f.operator} '${compare}'  `,
      );
    } else if ("(" in token) {
      lines.push(`${indent}(`);
      previousIndent = indent;
      indent += indent;
    } else if (")" in token) {
      indent = previousIndent;
      lines.push(`${indent})`);
    } else {
      lines.push(indent + Object.keys(token)[0]?.toUpperCase());
    }
  }
  return lines;
}

/** The text `mco describe_filter` prints for this filter, ending in a newline (empty for no filter). */
export function describeFilter(filter: Filter): string {
  const lines: string[] = [];
  if (filter.fact.length > 0) {
    lines.push("-F filter expands to the following fact comparisons:", "");
    for (const f of filter.fact) lines.push(`  ${factLine(f.fact, f.value, f.operator)}`);
    lines.push("");
  }
  if (filter.cf_class.length > 0) {
    lines.push("-C filter expands to the following class checks:", "");
    for (const c of filter.cf_class) lines.push(`  ${classLine(c)}`);
    lines.push("");
  }
  const first = filter.compound[0];
  if (first) lines.push(...describeCompound(first), "");
  return lines.map((l) => `${l}\n`).join("");
}
