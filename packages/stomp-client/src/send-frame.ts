const LF = "\n";

/**
 * A SEND frame's bytes exactly as @stomp/stompjs's `publish` makes them for a
 * binary body (destination first, then the headers in order, values escaped
 * under STOMP 1.2 only, content-length last), built straight into one Buffer.
 * stompjs serializes each frame twice (once more for a debug line it then
 * discards) and copies it through TextEncoder: on a daemon answering a
 * hundred requests at once that was a tenth of its time spent sending.
 */
export function sendFrame(
  destination: string,
  headers: Record<string, string>,
  body: Uint8Array,
  escaping: boolean,
): Buffer {
  const all: Record<string, string> = Object.assign({ destination }, headers);
  let head = "SEND";
  for (const name of Object.keys(all)) {
    const value = `${all[name]}`;
    head += `${LF}${name}:${escaping ? escapeValue(value) : value}`;
  }
  head += `${LF}content-length:${body.length}${LF}${LF}`;
  const headLength = Buffer.byteLength(head, "utf8");
  const frame = Buffer.allocUnsafe(headLength + body.length + 1);
  frame.write(head, 0, "utf8");
  frame.set(body, headLength);
  frame[headLength + body.length] = 0;
  return frame;
}

/** stompjs's FrameImpl.hdrValueEscape. */
function escapeValue(value: string): string {
  if (!/[\\\r\n:]/.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/:/g, "\\c");
}
