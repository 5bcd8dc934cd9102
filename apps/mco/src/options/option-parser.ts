/**
 * Ruby's OptionParser as MCollective drives it: switches and separators in
 * definition order (help prints them so), options anywhere among the
 * positional words (`parse!` permutes), `--` ends them, long names may be
 * abbreviated, `_` and `-` are the same in long names, short flags bundle
 * (`-vq`), and errors read as Ruby's ("invalid option: --bogus"), with the
 * long names Ruby's "Did you mean?" would offer.
 */
import { formatDidYouMean, UsageError } from "@phobos/core";
import { optionSuggestions } from "./spell-checker.js";
import { type Switch, type SwitchValue, summarizeSwitch } from "./switch.js";

/** Where options came from: the command line or MCOLLECTIVE_EXTRA_OPTS. */
export type OptionOrigin = "command line" | "MCOLLECTIVE_EXTRA_OPTS";

/** A command-line mistake; the message is Ruby's wording, `origin` says where it was. */
export class OptionError extends UsageError {
  constructor(
    message: string,
    readonly origin: OptionOrigin = "command line",
  ) {
    super(origin === "command line" ? message : `${message} (in MCOLLECTIVE_EXTRA_OPTS)`);
  }
}

type Item = { switch: Switch } | { text: string };

/** Ruby's `Integer()` for OptionParser's Integer acceptor: 0x, 0b, leading-0 octal, `_` separators. */
export function rubyIntegerArgument(text: string): number | undefined {
  const m =
    /^([-+]?)(?:0x([\da-f]+(?:_[\da-f]+)*)|0b([01]+(?:_[01]+)*)|0([0-7]+(?:_[0-7]+)*)|(0|[1-9]\d*(?:_\d+)*))$/i.exec(
      text,
    );
  if (!m) return undefined;
  const [, sign, hex, bin, oct, dec] = m;
  const digits = (hex ?? bin ?? oct ?? dec ?? "").replaceAll("_", "");
  const radix = hex ? 16 : bin ? 2 : oct ? 8 : 10;
  const n = Number.parseInt(digits, radix);
  return sign === "-" ? -n : n;
}

/** OptionParser's Float acceptor: `1`, `1.5`, `.5`, `1.`, `1e3`, `_` separators. */
export function rubyFloatArgument(text: string): number | undefined {
  if (!/^[-+]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:e[-+]?\d+(?:_\d+)*)?$/i.test(text))
    return undefined;
  return Number(text.replaceAll("_", ""));
}

function convert(sw: Switch, raw: string, shown: string, origin: OptionOrigin): SwitchValue {
  switch (sw.conversion) {
    case "integer": {
      const n = rubyIntegerArgument(raw);
      if (n === undefined) throw new OptionError(`invalid argument: ${shown}`, origin);
      return n;
    }
    case "float": {
      const n = rubyFloatArgument(raw);
      if (n === undefined) throw new OptionError(`invalid argument: ${shown}`, origin);
      return n;
    }
    case "list":
      return raw.split(",");
    default:
      return raw;
  }
}

export class OptionParser {
  readonly #top: Item[] = [];
  readonly #tail: Item[] = [];
  readonly #head: Item[] = [];

  /** `define_head`: shown first (MCollective puts the description there). */
  head(text: string): void {
    this.#head.push({ text });
  }

  /** `define_tail`: shown last. */
  tail(text: string): void {
    this.#tail.push({ text });
  }

  separator(text: string): void {
    this.#top.push({ text });
  }

  on(sw: Switch): void {
    this.#top.push({ switch: sw });
  }

  get #switches(): Switch[] {
    return this.#top.flatMap((item) => ("switch" in item ? [item.switch] : []));
  }

  /** A later definition of the same name wins, as in Ruby. */
  #short(key: string): Switch | undefined {
    let found: Switch | undefined;
    for (const sw of this.#switches) if (sw.shortKeys.includes(key)) found = sw;
    return found;
  }

  /**
   * OptionParser::Completion: an exact name, else the names the text
   * abbreviates (each word of it a prefix); among several, the shortest
   * wins if every other extends it, otherwise the text is ambiguous.
   */
  #long(typed: string, shown: string, origin: OptionOrigin): Switch {
    const key = typed.replaceAll("_", "-");
    let exact: Switch | undefined;
    for (const sw of this.#switches) if (sw.longKeys.includes(key)) exact = sw;
    if (exact) return exact;
    const pattern = new RegExp(
      `^${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\w+\b/g, "$&\\w*")}`,
      "i",
    );
    const candidates: { name: string; sw: Switch }[] = [];
    for (const sw of this.#switches) {
      for (const name of sw.longKeys) if (pattern.test(name)) candidates.push({ name, sw });
    }
    candidates.sort((a, b) => a.name.length - b.name.length);
    const first = candidates[0];
    if (!first) throw new OptionError(`invalid option: ${shown}${this.#hint(key)}`, origin);
    for (const other of candidates.slice(1)) {
      if (other.sw === first.sw || other.name.startsWith(first.name)) continue;
      throw new OptionError(`ambiguous option: ${shown}${this.#hint(key)}`, origin);
    }
    return first.sw;
  }

  /**
   * OptionParser#additional_message: did_you_mean over every long name, in
   * definition order. Ruby's dictionary also holds its built-in `version`
   * and `*-completion-bash`/`-zsh`, which mco does not accept, so they are
   * not offered here.
   */
  #hint(typed: string): string {
    const names = this.#switches.flatMap((sw) => sw.longKeys);
    const hint = formatDidYouMean(
      optionSuggestions(typed, names).map((name) => `--${name}`),
      Number.POSITIVE_INFINITY,
    );
    return hint === "" ? "" : ` (${hint})`;
  }

  /**
   * Parses `argv` (options anywhere, `--` ends them), calling each switch's
   * handler in order; returns the words that are not options.
   */
  parse(argv: readonly string[], origin: OptionOrigin = "command line"): string[] {
    const words = [...argv];
    const positional: string[] = [];
    while (words.length > 0) {
      const arg = words.shift() as string;
      if (arg === "--") {
        positional.push(...words);
        break;
      }
      const long = /^--([^=]*)(?:=(.*))?$/s.exec(arg);
      if (long) {
        const [, name = "", attached] = long;
        const sw = this.#long(name, arg, origin);
        if (sw.style === "none") {
          if (attached !== undefined) throw new OptionError(`needless argument: ${arg}`, origin);
          sw.handle(!sw.negated);
          continue;
        }
        sw.handle(this.#argument(sw, attached, words, `--${name}`, arg, origin));
        continue;
      }
      const short = /^-(.)(.*)$/s.exec(arg);
      if (short) {
        const [, letter = "", rest = ""] = short;
        const sw = this.#short(letter) ?? this.#long(letter, arg, origin);
        if (sw.style === "none") {
          if (rest.startsWith("=")) throw new OptionError(`needless argument: ${arg}`, origin);
          sw.handle(!sw.negated);
          // `-vq`: the remaining letters are further flags.
          if (rest !== "") words.unshift(`-${rest}`);
          continue;
        }
        const attached = rest === "" ? undefined : rest.replace(/^=/, "");
        sw.handle(this.#argument(sw, attached, words, `-${letter}`, arg, origin));
        continue;
      }
      positional.push(arg);
    }
    return positional;
  }

  #argument(
    sw: Switch,
    attached: string | undefined,
    words: string[],
    name: string,
    typed: string,
    origin: OptionOrigin,
  ): SwitchValue {
    if (attached !== undefined) return convert(sw, attached, typed, origin);
    if (sw.style === "required") {
      const next = words.shift();
      if (next === undefined) throw new OptionError(`missing argument: ${name}`, origin);
      return convert(sw, next, `${name} ${next}`, origin);
    }
    const next = words[0];
    if (next === undefined || /^-./s.test(next)) return undefined;
    words.shift();
    return convert(sw, next, `${name} ${next}`, origin);
  }

  /** OptionParser#help with an empty banner: one line per separator, switches summarized. */
  help(): string {
    const lines: string[] = [""];
    const shortDone = new Set<string>();
    const longDone = new Set<string>();
    // Ruby summarizes each list from its end, so a later switch hides an earlier one's names.
    const summarize = (items: Item[]): string[] => {
      const chunks: string[][] = [];
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i] as Item;
        if ("switch" in item) chunks.unshift(summarizeSwitch(item.switch, shortDone, longDone));
        else chunks.unshift(item.text === "" ? [""] : (item.text.match(/[^\n]*\n|[^\n]+$/g) ?? [""]));
      }
      return chunks.flat();
    };
    lines.push(...summarize([...this.#head, ...this.#top]), ...summarize(this.#tail));
    return lines.map((l) => (l.endsWith("\n") ? l : `${l}\n`)).join("");
  }
}
