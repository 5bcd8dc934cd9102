import type { StompVersion } from "./version.js";

/**
 * How header names and values are written on the wire. `raw` is for
 * CONNECT/CONNECTED, which no STOMP version escapes. STOMP 1.0 has no
 * escaping at all; a value carrying CR or LF (only possible when a 1.1+
 * client sent it) would break the frame, so those two are written as 1.1
 * escapes, which is also what RabbitMQ emits to 1.0 clients.
 */
export type EscapeMode = "raw" | StompVersion;

const NEEDS_ESCAPE: Record<EscapeMode, RegExp> = {
  raw: /[\r\n]/,
  "1.0": /[\r\n]/,
  "1.1": /[\\\n:]/,
  "1.2": /[\\\r\n:]/,
};

const ESCAPES: Record<EscapeMode, Record<string, string>> = {
  raw: { "\r": "", "\n": "" },
  "1.0": { "\r": "\\r", "\n": "\\n" },
  "1.1": { "\\": "\\\\", "\n": "\\n", ":": "\\c" },
  "1.2": { "\\": "\\\\", "\r": "\\r", "\n": "\\n", ":": "\\c" },
};

const PATTERNS: Record<EscapeMode, RegExp> = {
  raw: /[\r\n]/g,
  "1.0": /[\r\n]/g,
  "1.1": /[\\\n:]/g,
  "1.2": /[\\\r\n:]/g,
};

export function escapeHeader(text: string, mode: EscapeMode): string {
  if (!NEEDS_ESCAPE[mode].test(text)) return text;
  const table = ESCAPES[mode];
  return text.replace(PATTERNS[mode], (c) => table[c] ?? c);
}

/**
 * Decodes an escaped header name or value; `undefined` when it holds an
 * escape the version does not define, which STOMP 1.1/1.2 make fatal.
 */
export function unescapeHeader(text: string, version: StompVersion): string | undefined {
  if (version === "1.0" || !text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === "\\") out += "\\";
    else if (next === "n") out += "\n";
    else if (next === "c") out += ":";
    else if (next === "r" && version === "1.2") out += "\r";
    else return undefined;
  }
  return out;
}
