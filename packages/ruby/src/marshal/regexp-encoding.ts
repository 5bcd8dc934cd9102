import { encodingTag } from "./encodings.js";
import type { RubyRegexp } from "./types.js";

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The encoding Ruby gives a Regexp with this source and options: `/…/n`
 * (16|32) binary, an ASCII-only source without fixed encoding US-ASCII
 * (`/abc/n` included), anything else UTF-8.
 */
export function defaultRegexpEncoding(source: string, options: number): string {
  if (options & 16) return options & 32 ? "ASCII-8BIT" : "UTF-8";
  if (!NON_ASCII.test(source)) return "US-ASCII";
  return options & 32 ? "ASCII-8BIT" : "UTF-8";
}

/**
 * The option byte Marshal writes. A Regexp built in JS with a non-ASCII
 * source gets Ruby's fixed-encoding bit (16), as every such Ruby Regexp has;
 * one with an explicit encoding (as loaded) is written as it came.
 */
export function regexpWireOptions(re: RubyRegexp): number {
  if (re.encoding === undefined && !(re.options & 48) && NON_ASCII.test(re.source))
    return (re.options | 16) & 0xff;
  return re.options & 0xff;
}

export function regexpEncoding(re: RubyRegexp): string {
  return re.encoding ?? defaultRegexpEncoding(re.source, re.options);
}

/** Source bytes: UTF-8 text for UTF-8 regexps, one byte per char (latin1) for every other encoding. */
export function regexpSourceBytes(re: RubyRegexp): Buffer {
  const enc = regexpEncoding(re);
  return Buffer.from(re.source, encodingTag(enc) === "utf8" ? "utf8" : "latin1");
}
