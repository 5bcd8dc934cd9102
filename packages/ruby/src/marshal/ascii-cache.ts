/**
 * Short ASCII texts repeat from message to message (symbol names, "OK",
 * "rpcutil", fact names). Decoding one from bytes means a native call and a
 * fresh string; a small direct-mapped cache compares the bytes with the text
 * already made instead. Only the decoding is cached, so a stale entry can
 * cost a miss, never a wrong answer.
 */
const SIZE = 2048;
const MAX_LEN = 32;
const texts: (string | undefined)[] = new Array(SIZE);

/**
 * The latin1 text of `b[start..end)` if it is short and all ASCII, from the
 * cache when possible; `decode` makes it on a miss. Undefined when not ASCII
 * or too long (the caller decodes those itself).
 */
export function cachedAscii(
  b: Uint8Array,
  start: number,
  end: number,
  decode: (start: number, end: number) => string,
): string | undefined {
  const len = end - start;
  if (len > MAX_LEN) return undefined;
  let h = len;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & (SIZE - 1);
  const hit = texts[slot];
  if (hit !== undefined && hit.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.charCodeAt(i) !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const text = decode(start, end);
  texts[slot] = text;
  return text;
}
