import type { Header } from "./frame.js";
import { type EscapeMode, escapeHeader } from "./header-escape.js";

/** RabbitMQ ends every frame it sends with NUL then LF; clients are used to it. */
export const FRAME_END = Buffer.from([0x00, 0x0a]);

/** Header lines, each ending in LF. */
export function encodeHeaderLines(headers: readonly Header[], mode: EscapeMode): string {
  let lines = "";
  for (const [name, value] of headers) {
    lines += `${escapeHeader(name, mode)}:${escapeHeader(value, mode)}\n`;
  }
  return lines;
}

/** The command line and header lines of a frame, up to and including the blank line. */
export function encodeHead(command: string, headers: readonly Header[], mode: EscapeMode): string {
  return `${command}\n${encodeHeaderLines(headers, mode)}\n`;
}

/**
 * A whole frame. Callers put `content-length` in `headers` themselves where
 * RabbitMQ sends one (MESSAGE, ERROR), so the header order stays theirs.
 */
export function encodeFrame(
  command: string,
  headers: readonly Header[],
  body: Uint8Array | undefined,
  mode: EscapeMode,
): Buffer {
  const head = Buffer.from(encodeHead(command, headers, mode), "utf8");
  if (!body || body.length === 0) return Buffer.concat([head, FRAME_END]);
  return Buffer.concat([head, body, FRAME_END]);
}
