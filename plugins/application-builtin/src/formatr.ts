/**
 * The page layouts of `formatted_inventory`, which MCollective hands to the
 * formatr gem: Perl's `format` pictures. A picture line holds fields —
 * `@<<<` (left), `@>>>` (right), `@|||` (centred), `@##.##` (a number),
 * `@*` (a multi-line value) — and the line after it the comma-separated
 * expressions that fill them; other lines are printed as they are. A `~`
 * on a line prints as a space and drops the line when all its fields are
 * empty. As Perl's formline does, trailing spaces are cut from each line.
 * The heading starts every page: a new page (after a form feed) begins when
 * the next record no longer fits in the page length.
 */
import { type RValue, rValueToS } from "@phobos/core";

interface Field {
  /** Where the field starts in its picture line, and how many characters it covers. */
  start: number;
  width: number;
  align: "<" | ">" | "|" | "#" | "*";
  decimals: number;
}

type LayoutLine =
  | { kind: "text"; text: string }
  | { kind: "picture"; text: string; fields: Field[]; args: string; argsLine: number; suppress: boolean };

const FIELD = /[@^](?:\*|<+|>+|\|+|#*(?:\.#+)?)/g;

/** Reads a layout (a heading or a body) into its picture and text lines. */
export function parseLayout(layout: string): LayoutLine[] {
  const lines = layout.split("\n");
  // A heredoc ends with a newline: that is the end of the last line, not an empty line after it.
  if (lines[lines.length - 1] === "") lines.pop();
  const out: LayoutLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    const fields: Field[] = [];
    for (const m of text.matchAll(FIELD)) {
      const body = m[0];
      if (body.startsWith("^")) {
        throw new Error(
          `line ${i + 1} of the layout: continuation fields (${body}) are not supported; use @ fields`,
        );
      }
      const kind = body[1];
      const align =
        kind === "*"
          ? "*"
          : kind === ">"
            ? ">"
            : kind === "|"
              ? "|"
              : kind === "#" || kind === "."
                ? "#"
                : "<";
      const dot = body.indexOf(".");
      fields.push({
        start: m.index ?? 0,
        width: body.length,
        align,
        decimals: dot < 0 ? 0 : body.length - dot - 1,
      });
    }
    if (fields.length === 0) {
      out.push({ kind: "text", text });
      continue;
    }
    if (i + 1 >= lines.length) {
      throw new Error(`line ${i + 1} of the layout has fields but no line of values after it`);
    }
    out.push({
      kind: "picture",
      text,
      fields,
      args: lines[i + 1] as string,
      argsLine: i + 2,
      suppress: text.includes("~"),
    });
    i++;
  }
  return out;
}

function numberOf(v: RValue): number | undefined {
  if (v === null || v === "") return undefined;
  const n = Number.parseFloat(rValueToS(v));
  return Number.isNaN(n) ? 0 : n;
}

function fill(field: Field, value: RValue): string {
  if (field.align === "*") return rValueToS(value);
  if (field.align === "#") {
    const n = numberOf(value);
    if (n === undefined) return " ".repeat(field.width);
    const text = n.toFixed(field.decimals);
    return text.length > field.width ? "#".repeat(field.width) : text.padStart(field.width);
  }
  const chars = Array.from(rValueToS(value).split("\n")[0] ?? "").slice(0, field.width);
  const missing = field.width - chars.length;
  const text = chars.join("");
  if (field.align === ">") return " ".repeat(missing) + text;
  if (field.align === "|") {
    const left = Math.floor(missing / 2);
    return " ".repeat(left) + text + " ".repeat(missing - left);
  }
  return text + " ".repeat(missing);
}

/** Evaluates one argument line: `a, b, c` as Ruby, into one value per field. */
export type ArgumentEvaluator = (expression: string, line: number) => RValue;

function render(layout: readonly LayoutLine[], evaluate: ArgumentEvaluator, what: string): string[] {
  const out: string[] = [];
  for (const line of layout) {
    if (line.kind === "text") {
      out.push(line.text.replace(/ +$/, ""));
      continue;
    }
    const list = evaluate(`[${line.args}]`, line.argsLine);
    const values = Array.isArray(list) ? list : [list];
    if (values.length < line.fields.length) {
      throw new Error(
        `${what} line ${line.argsLine}: ${line.fields.length} fields but ${values.length} values in '${line.args.trim()}'`,
      );
    }
    let text = "";
    let at = 0;
    let empty = true;
    line.fields.forEach((field, i) => {
      const value = values[i] ?? null;
      if (rValueToS(value) !== "") empty = false;
      text += line.text.slice(at, field.start) + fill(field, value);
      at = field.start + field.width;
    });
    text += line.text.slice(at);
    if (line.suppress) {
      if (empty) continue;
      text = text.replace(/~/g, " ");
    }
    out.push(...text.split("\n").map((l) => l.replace(/ +$/, "")));
  }
  return out;
}

/** formatr's `FormatR::Format`: a page heading and a body printed once per record. */
export class FormatR {
  private readonly heading: LayoutLine[];
  private readonly body: LayoutLine[];
  private pageLength = 60;
  private linesLeft = 0;
  private pages = 0;

  constructor(
    heading: string | undefined,
    body: string,
    private readonly evaluate: ArgumentEvaluator,
  ) {
    this.heading = heading === undefined ? [] : parseLayout(heading);
    this.body = parseLayout(body);
  }

  setPageLength(length: number): void {
    if (!Number.isInteger(length) || length < 1)
      throw new Error(`page_length must be a positive Integer, not ${length}`);
    this.pageLength = length;
  }

  /** The text one record prints: the heading first when a page starts. */
  printFormat(): string {
    const body = render(this.body, this.evaluate, "page_body");
    let out = "";
    if (this.pages === 0 || this.linesLeft < body.length) {
      const heading = render(this.heading, this.evaluate, "page_heading");
      if (this.pages > 0) out += "\f";
      out += heading.map((l) => `${l}\n`).join("");
      this.pages++;
      this.linesLeft = this.pageLength - heading.length;
    }
    out += body.map((l) => `${l}\n`).join("");
    this.linesLeft -= body.length;
    return out;
  }
}
