/**
 * One command-line switch as Ruby's OptionParser builds it from
 * MCollective's texts (`"-a"`, `"--agent AGENT"`, `"--actions [ACTIONS]"`,
 * `"--no-results"`): its names, how it takes an argument, how that argument
 * converts, and what to do with the value.
 */

/** none: a flag; required: `--x V` or `--x=V`; placed: `--x [V]` takes the next word unless it looks like an option. */
export type ArgumentStyle = "none" | "required" | "placed" | "optional";

export type Conversion = "string" | "integer" | "float" | "list";

export type SwitchValue = string | number | boolean | string[] | undefined;

export interface Switch {
  /** As written, for help: `-a`. */
  readonly shorts: readonly string[];
  /** As written, for help: `--publish_timeout`. */
  readonly longs: readonly string[];
  /** Single letters matched on the command line. */
  readonly shortKeys: readonly string[];
  /** Lower case with `_` as `-`, as OptionParser compares them. */
  readonly longKeys: readonly string[];
  /** The argument text shown in help, with its leading space: ` AGENT`. */
  readonly arg: string | undefined;
  readonly style: ArgumentStyle;
  readonly conversion: Conversion;
  readonly description: string;
  /** A `--no-…` switch: using it means false. */
  readonly negated: boolean;
  readonly handle: (value: SwitchValue) => void;
}

export interface SwitchSpec {
  arguments: string | readonly string[];
  description: string;
  conversion?: Conversion;
  handle: (value: SwitchValue) => void;
}

function guessStyle(arg: string): ArgumentStyle {
  if (/^=?\[/.test(arg)) return "optional";
  if (/^\s+\[/.test(arg)) return "placed";
  return "required";
}

/** OptionParser#make_switch for the forms MCollective uses. */
export function makeSwitch(spec: SwitchSpec): Switch {
  const texts = typeof spec.arguments === "string" ? [spec.arguments] : [...spec.arguments];
  const shorts: string[] = [];
  const longs: string[] = [];
  const shortKeys: string[] = [];
  const longKeys: string[] = [];
  let arg: string | undefined;
  let style: ArgumentStyle = "none";
  let negated = false;
  const takeArgument = (rest: string | undefined) => {
    if (!rest) return;
    arg = rest;
    style = guessStyle(rest);
  };
  for (const text of texts) {
    const negative = /^--no-([^[\]=\s]*)(.+)?$/s.exec(text);
    const long = /^--([^[\]=\s]*)(.+)?$/s.exec(text);
    const short = /^-(.)(.+)?$/s.exec(text);
    if (negative) {
      negated = true;
      longs.push(`--no-${negative[1]}`);
      longKeys.push(`no-${(negative[1] ?? "").toLowerCase().replaceAll("_", "-")}`);
      takeArgument(negative[2]);
    } else if (long) {
      longs.push(`--${long[1]}`);
      longKeys.push((long[1] ?? "").toLowerCase().replaceAll("_", "-"));
      takeArgument(long[2]);
    } else if (short) {
      shorts.push(`-${short[1]}`);
      shortKeys.push(short[1] as string);
      takeArgument(short[2]);
    } else {
      throw new TypeError(`cannot make an option switch of ${JSON.stringify(text)}`);
    }
  }
  return {
    shorts,
    longs,
    shortKeys,
    longKeys,
    arg,
    style,
    conversion: spec.conversion ?? "string",
    description: spec.description,
    negated,
    handle: spec.handle,
  };
}

const SUMMARY_WIDTH = 32;
const SUMMARY_INDENT = "    ";

/**
 * OptionParser::Switch#summarize: the help lines for a switch, names left
 * (wrapped onto their own line when wider than 32), description right.
 * `shortDone`/`longDone` hide names a later switch already showed.
 */
export function summarizeSwitch(sw: Switch, shortDone: Set<string>, longDone: Set<string>): string[] {
  const width = SUMMARY_WIDTH;
  const max = width - 1;
  const sopts = sw.shorts.filter((s) => !shortDone.has(s));
  const lopts = sw.longs.filter((l) => !longDone.has(l));
  for (const s of sw.shorts) shortDone.add(s);
  for (const l of sw.longs) longDone.add(l);
  if (sopts.length === 0 && lopts.length === 0) return [];
  const left = [sopts.join(", ")];
  const right = sw.description === "" ? [] : [sw.description];
  for (const s of lopts) {
    let l = (left[left.length - 1] as string).length + s.length;
    if (left.length === 1 && sw.arg) l += sw.arg.length;
    if (!(l < max || sopts.length === 0)) left.push("");
    const last = left[left.length - 1] as string;
    left[left.length - 1] = `${last}${last === "" ? "    " : ", "}${s}`;
  }
  if (sw.arg) {
    left[0] += left[1] !== undefined ? `${sw.arg.replace(/^(\[?)=/, "$1")},` : sw.arg;
  }
  const lines: string[] = [];
  let mlen = Math.max(...left.map((s) => s.length));
  while (mlen > width && left.length > 0) {
    let l = left.shift() as string;
    if (l.length === mlen) mlen = Math.max(0, ...left.map((s) => s.length));
    const r = right[0];
    if (l.length < width && r) {
      l = `${l.padEnd(width)} ${r}`;
      right.shift();
    }
    lines.push(SUMMARY_INDENT + l);
  }
  for (;;) {
    const l = left.shift();
    const r = right.shift();
    if (l === undefined && r === undefined) break;
    lines.push(SUMMARY_INDENT + (r ? `${(l ?? "").padEnd(width)} ${r}` : (l ?? "")));
  }
  return lines;
}
