/**
 * Ruby values to the node tree Psych's YAMLTree visitor builds (Psych 4.0,
 * Ruby 3.1): the style each String asks for (`visit_String`), tags for
 * binary strings, symbols, regexps and nil, block collections. Only the
 * values MCollective messages carry are representable; anything else is an
 * error rather than YAML that Ruby's `safe_load` would refuse.
 */
import {
  inspect,
  psychTokenize,
  RubyFloat,
  RubyHash,
  RubyRegexp,
  RubyString,
  type RubyValue,
} from "@phobos/core";
import type { ScalarNode, ScalarStyle, YamlNode } from "./nodes.js";

export class YamlRepresentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "YamlRepresentError";
  }
}

const MAX_DEPTH = 100;

function scalar(
  value: string,
  options: { tag?: string; plain: boolean; quoted: boolean; style: ScalarStyle },
): ScalarNode {
  return {
    kind: "scalar",
    value,
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    plainImplicit: options.plain,
    quotedImplicit: options.quoted,
    style: options.style,
  };
}

/** Psych's node tree for `value`. */
export function represent(value: RubyValue, depth = 0): YamlNode {
  if (depth > MAX_DEPTH) throw new YamlRepresentError("value nested too deep for YAML");
  if (value === null) {
    return scalar("", { tag: "tag:yaml.org,2002:null", plain: true, quoted: false, style: "any" });
  }
  if (typeof value === "boolean") return scalar(String(value), { plain: true, quoted: false, style: "any" });
  if (typeof value === "bigint")
    return scalar(value.toString(), { plain: true, quoted: false, style: "any" });
  if (typeof value === "number") {
    if (Number.isInteger(value)) {
      return scalar(String(value === 0 ? 0 : value), { plain: true, quoted: false, style: "any" });
    }
    return floatNode(value);
  }
  if (value instanceof RubyFloat) return floatNode(value.value);
  if (typeof value === "symbol") {
    const name = Symbol.keyFor(value);
    if (name === undefined) throw new YamlRepresentError("a JS symbol that is not a Ruby Symbol");
    if (name === "") return scalar("", { tag: "!ruby/symbol", plain: false, quoted: false, style: "any" });
    return scalar(`:${name}`, { plain: true, quoted: false, style: "any" });
  }
  if (typeof value === "string") return stringNode(value);
  if (value instanceof Uint8Array) return binaryNode(value);
  if (value instanceof RubyString) {
    if (value.encoding === "ASCII-8BIT") return binaryNode(value.bytes);
    if (value.encoding === "UTF-8" || value.encoding === "US-ASCII") return stringNode(value.toString());
    throw new YamlRepresentError(`a String in ${value.encoding}: MCollective's YAML carries UTF-8 text`);
  }
  if (value instanceof RubyRegexp) {
    return scalar(inspect(value), { tag: "!ruby/regexp", plain: false, quoted: false, style: "any" });
  }
  if (Array.isArray(value)) {
    return { kind: "sequence", items: value.map((item) => represent(item, depth + 1)) };
  }
  if (value instanceof Map || value instanceof RubyHash) {
    return {
      kind: "mapping",
      pairs: [...value].map(([k, v]) => [represent(k, depth + 1), represent(v, depth + 1)]),
    };
  }
  const name = (value as object).constructor?.name ?? typeof value;
  throw new YamlRepresentError(`a ${name} cannot go into MCollective's YAML (safe_load refuses it)`);
}

function floatNode(x: number): ScalarNode {
  let text: string;
  if (Number.isNaN(x)) text = ".nan";
  else if (!Number.isFinite(x)) text = x > 0 ? ".inf" : "-.inf";
  else text = inspect(new RubyFloat(x));
  return scalar(text, { plain: true, quoted: false, style: "any" });
}

function binaryNode(bytes: Uint8Array): ScalarNode {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.every((b) => b < 0x80)) return stringNode(buffer.toString("latin1"));
  return scalar(buffer.toString("base64"), { tag: "!binary", plain: false, quoted: false, style: "literal" });
}

/** `visit_String`, for a String that is not binary. */
function stringNode(text: string): ScalarNode {
  let style: ScalarStyle = "plain";
  let tag: string | undefined;
  let plain = true;
  let quoted = true;
  if (hasInnerNewline(text)) style = "literal";
  else if (text === "<<") {
    style = "single";
    tag = "tag:yaml.org,2002:str";
    plain = false;
    quoted = false;
  } else if (text === "y" || text === "n") style = "double";
  else if (startsLineWithNonWord(text)) style = "double";
  else if (readsAsOther(text) || /^0[0-7]*[89]/.test(text)) style = "single";
  return scalar(text, { ...(tag === undefined ? {} : { tag }), plain, quoted, style });
}

/** `not String === @ss.tokenize(o)`: written plain, the text would read back as another class. */
function readsAsOther(text: string): boolean {
  const token = psychTokenize(text);
  return token.type === "time" ? token.valid : token.type !== "string";
}

/** `o =~ /\n(?!\Z)/`: a line break that is not the text's last character (nor the one before a final one). */
function hasInnerNewline(text: string): boolean {
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    const rest = text.length - (i + 1);
    if (rest === 0) continue;
    if (rest === 1 && text[i + 1] === "\n") continue;
    return true;
  }
  return false;
}

const WORD = /[\p{L}\p{M}\p{Nd}\p{Pc}]/u;

/**
 * `o =~ /^[^[:word:]][^"]*$/` with Ruby's line anchors: some line starts
 * with a non-word character (a line break counts) and has no `"` after it
 * up to the end of that line.
 */
function startsLineWithNonWord(text: string): boolean {
  const chars = [...text];
  for (let p = 0; p < chars.length; p++) {
    if (p > 0 && chars[p - 1] !== "\n") continue;
    if (WORD.test(chars[p] as string)) continue;
    let q = p + 1;
    let quote = false;
    while (q < chars.length && chars[q] !== "\n") {
      if (chars[q] === '"') quote = true;
      q++;
    }
    if (!quote) return true;
  }
  return false;
}
