/**
 * YAML text to Ruby values as MCollective's ssl plugin reads it:
 * `YAML.safe_load(text, permitted_classes: [Symbol, Regexp])` (Psych 4,
 * after the Ruby 3.1 fix). js-yaml parses the syntax into events; the
 * meaning of each scalar is Psych's: plain scalars through ScalarScanner
 * (`:senderid` is a Symbol, `60` an Integer, `yes` true), quoted and block
 * scalars are Strings, `!binary` is a binary String, `!ruby/regexp` a
 * Regexp. Aliases and every other class are refused, as safe_load refuses
 * them.
 */

import { type PsychToken, psychTokenize, RubyFloat, RubyRegexp, type RubyValue, sym } from "@phobos/core";
import {
  CHOMPING_MODE,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  type ScalarEvent,
} from "js-yaml";
import { decodeBlock, decodeQuoted } from "./scalar-text.js";

export class YamlLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "YamlLoadError";
  }
}

const SECONDARY = "tag:yaml.org,2002:";

/** The one document in `text`; an empty stream is nil, as safe_load returns. */
export function loadYaml(text: string): RubyValue {
  // NEL, LS and PS are line breaks to libyaml (YAML 1.1) and ordinary
  // characters to js-yaml (YAML 1.2): js-yaml parses the structure with them
  // as `\n`, and scalar-text.ts decodes scalar text from the original. One
  // UTF-16 unit for one, so the events' offsets hold for both.
  // And libyaml counts a root block scalar's indentation indicator from
  // column 0 where js-yaml counts from -1: `--- |2-` is js-yaml's `|3-`.
  const shadow = text
    .replace(/[\u0085\u2028\u2029]/g, "\n")
    .replace(
      /^(---[ \t]+(?:![^\s]*[ \t]+)?[|>][+-]?)([1-8])/,
      (_m, head: string, digit: string) => `${head}${Number(digit) + 1}`,
    );
  let events: Event[];
  try {
    events = parseEvents(shadow, { maxDepth: 100 });
  } catch (err) {
    throw new YamlLoadError(`not YAML: ${(err as Error).message}`, { cause: err });
  }
  const reader = new EventReader(text, events);
  return reader.stream();
}

function fullTag(source: string): string {
  if (source.startsWith("!<") && source.endsWith(">")) return decodeURIComponent(source.slice(2, -1));
  if (source.startsWith("!!")) return SECONDARY + decodeURIComponent(source.slice(2));
  return source === "!" ? "!" : decodeURIComponent(source);
}

class EventReader {
  #at = 0;
  readonly #text: string;
  readonly #events: readonly Event[];

  constructor(text: string, events: readonly Event[]) {
    this.#text = text;
    this.#events = events;
  }

  stream(): RubyValue {
    let result: RubyValue = null;
    let documents = 0;
    while (this.#at < this.#events.length) {
      const event = this.#next();
      if (event.type !== EVENT_ID.DOCUMENT) throw new YamlLoadError("expected a document");
      if (event.directives.length > 0)
        throw new YamlLoadError("%YAML and %TAG directives are not used by MCollective");
      documents++;
      if (documents > 1) throw new YamlLoadError("more than one YAML document");
      const head = this.#events[this.#at];
      result = head && head.type !== EVENT_ID.POP ? this.#node() : null;
      if (this.#next().type !== EVENT_ID.POP) throw new YamlLoadError("a document holds one node");
    }
    return result;
  }

  #next(): Event {
    const event = this.#events[this.#at++];
    if (event === undefined) throw new YamlLoadError("unexpected end of the YAML events");
    return event;
  }

  /** The scalar's text, decoded as libyaml decodes it (see scalar-text.ts). */
  #scalarText(event: ScalarEvent): string {
    const source = this.#text.slice(event.valueStart, event.valueEnd);
    try {
      switch (event.style) {
        case SCALAR_STYLE.SINGLE_QUOTED:
          return decodeQuoted(source, true);
        case SCALAR_STYLE.DOUBLE_QUOTED:
          return decodeQuoted(source, false);
        case SCALAR_STYLE.LITERAL_BLOCK:
        case SCALAR_STYLE.FOLDED_BLOCK: {
          const chomping =
            event.chomping === CHOMPING_MODE.STRIP
              ? "strip"
              : event.chomping === CHOMPING_MODE.KEEP
                ? "keep"
                : "clip";
          return decodeBlock(source, {
            indent: event.indent,
            chomping,
            folded: event.style === SCALAR_STYLE.FOLDED_BLOCK,
          });
        }
        default:
          return getScalarValue(this.#text, event);
      }
    } catch (err) {
      throw new YamlLoadError(`bad scalar: ${(err as Error).message}`, { cause: err });
    }
  }

  #tag(event: { tagStart: number; tagEnd: number }): string | undefined {
    return event.tagStart < 0 ? undefined : fullTag(this.#text.slice(event.tagStart, event.tagEnd));
  }

  #node(): RubyValue {
    const event = this.#next();
    switch (event.type) {
      case EVENT_ID.SCALAR:
        return this.#scalar(event);
      case EVENT_ID.SEQUENCE: {
        const tag = this.#tag(event);
        if (tag !== undefined && tag !== "!" && tag !== `${SECONDARY}seq`) {
          throw new YamlLoadError(`Tried to load unspecified class: ${tag}`);
        }
        const items: RubyValue[] = [];
        while (this.#events[this.#at]?.type !== EVENT_ID.POP) items.push(this.#node());
        this.#next();
        return items;
      }
      case EVENT_ID.MAPPING: {
        const tag = this.#tag(event);
        if (tag !== undefined && tag !== "!" && tag !== `${SECONDARY}map`) {
          throw new YamlLoadError(`Tried to load unspecified class: ${tag}`);
        }
        return this.#mapping();
      }
      case EVENT_ID.ALIAS:
        throw new YamlLoadError(
          "Alias parsing was not enabled: aliases are refused, as safe_load refuses them",
        );
      default:
        throw new YamlLoadError("unexpected YAML event");
    }
  }

  /** Psych's revive_hash: later keys win, `<<` merges unless it was written `!!str`. */
  #mapping(): Map<RubyValue, RubyValue> {
    const hash = new Map<RubyValue, RubyValue>();
    while (this.#events[this.#at]?.type !== EVENT_ID.POP) {
      const keyEvent = this.#events[this.#at];
      const keyIsStrTagged = keyEvent?.type === EVENT_ID.SCALAR && this.#tag(keyEvent) === `${SECONDARY}str`;
      const key = this.#node();
      const value = this.#node();
      if (key === "<<" && !keyIsStrTagged) {
        if (value instanceof Map) {
          for (const [k, v] of value) hash.set(k, v);
          continue;
        }
        if (Array.isArray(value) && value.every((v) => v instanceof Map)) {
          const merged = new Map<RubyValue, RubyValue>();
          for (const part of [...value].reverse())
            for (const [k, v] of part as Map<RubyValue, RubyValue>) merged.set(k, v);
          for (const [k, v] of merged) hash.set(k, v);
          continue;
        }
      }
      hash.set(key, value);
    }
    this.#next();
    return hash;
  }

  #scalar(event: ScalarEvent): RubyValue {
    const value = this.#scalarText(event);
    const tag = this.#tag(event);
    if (tag === undefined) {
      return event.style === SCALAR_STYLE.PLAIN ? fromToken(psychTokenize(value), value) : value;
    }
    if (tag === "!binary" || tag === `${SECONDARY}binary`) return Buffer.from(value, "base64");
    if (tag === `${SECONDARY}str` || tag === "!str" || tag === "!ruby/string") return value;
    if (tag === `${SECONDARY}float` || tag === "!float") return toFloat(value);
    if (tag === "!ruby/regexp") return toRegexp(value);
    if (/^!ruby\/sym(bol)?:?(.*)?$/.test(tag)) return sym(value);
    if (tag.startsWith("!ruby/") || /^!(?:str|ruby\/string):/.test(tag)) {
      throw new YamlLoadError(`Tried to load unspecified class: ${tag}`);
    }
    return fromToken(psychTokenize(value), value);
  }
}

function fromToken(token: PsychToken, text: string): RubyValue {
  switch (token.type) {
    case "string":
      return text;
    case "null":
      return null;
    case "boolean":
      return token.value;
    case "integer":
      return token.value >= BigInt(Number.MIN_SAFE_INTEGER) && token.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(token.value)
        : token.value;
    case "float":
      return Number.isInteger(token.value) ? new RubyFloat(token.value) : token.value;
    case "symbol":
      return sym(token.name);
    case "time":
      throw new YamlLoadError(`Tried to load unspecified class: ${token.class} (${JSON.stringify(text)})`);
  }
}

function toFloat(text: string): RubyValue {
  const token = psychTokenize(text);
  let n: number;
  if (token.type === "float") n = token.value;
  else if (token.type === "integer") n = Number(token.value);
  else if (
    token.type === "string" &&
    /^\s*[-+]?(\d[\d_]*)?(\.\d[\d_]*)?([eE][-+]?\d+)?\s*$/.test(text) &&
    /\d/.test(text)
  ) {
    n = Number(text.replace(/_/g, "").trim());
  } else throw new YamlLoadError(`invalid value for Float(): ${JSON.stringify(text)}`);
  return Number.isInteger(n) ? new RubyFloat(n) : n;
}

/** `!ruby/regexp /source/flags`. */
function toRegexp(text: string): RubyRegexp {
  const m = /^\/([\s\S]*)\/([mixn]*)$/.exec(text);
  if (!m) throw new YamlLoadError(`not a Regexp: ${JSON.stringify(text)}`);
  let options = 0;
  for (const flag of m[2] as string) {
    if (flag === "x") options |= 2;
    else if (flag === "i") options |= 1;
    else if (flag === "m") options |= 4;
    else if (flag === "n") options |= 32;
  }
  return new RubyRegexp(m[1] as string, options);
}
