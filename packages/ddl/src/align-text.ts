/**
 * MCollective's `Util.align_text`: indent text by `preamble` spaces and wrap
 * it to `columns`, carrying the cut-off words to the next line at that
 * line's indentation. `mco plugin doc` uses it for a DDL's usage text with
 * 80 columns whenever stdout is not a terminal (and when the terminal size
 * is unknown). This reproduces its quirks, including that a cut piece is
 * pushed into the following line rather than onto a line of its own.
 */

/** Ruby's `str[i]` on a character array: negative indexes count from the end. */
function charAt(line: string[], index: number): string | undefined {
  return index < 0 ? line[line.length + index] : line[index];
}

export function alignText(text: string, columns = 80, preamble = 5): string {
  const width = columns - preamble;
  if (width <= 0) return text;
  // Ruby's split drops trailing empty fields.
  const lines = text.split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const out: string[][] = lines.map((l) => Array.from(l));
  let piece: string[] = [];
  let whitespace = 0;

  // `out` grows while we walk it, as Ruby's each_with_index over a mutated array does.
  for (let i = 0; i < out.length; i++) {
    let line = out[i] as string[];
    whitespace = 0;
    while (whitespace < line.length && line[whitespace] === " ") whitespace++;

    if (piece.length > 0) {
      if (whitespace >= width) whitespace = 0;
      if (out[i + 1] !== undefined && line.length === whitespace && line.every((c) => c === " ")) {
        out.splice(i + 1, 0, []);
      }
      line = [...line.slice(0, whitespace), ...piece, " ", ...line.slice(whitespace)];
    }
    piece = [];

    if (line.length > width + preamble) {
      let reverse = width;
      let found = true;
      while (charAt(line, reverse) !== " ") {
        reverse -= 1;
        // Ruby would crash on a line with no space to break at; leave such a line whole.
        if (charAt(line, reverse) === undefined) {
          found = false;
          break;
        }
      }
      if (found) {
        const start = reverse < 0 ? line.length + reverse : reverse;
        piece = line.slice(start);
        line = line.slice(0, start);
        while (piece.length > 0 && /^[\t\n\v\f\r \0]$/.test(piece[0] as string)) piece.shift();
      }
    }

    if (piece.length > 0 && out[i + 1] === undefined) {
      out[i + 1] = [...Array<string>(whitespace).fill(" "), ...piece];
      piece = [];
    }
    out[i] = [...Array<string>(preamble).fill(" "), ...line];
  }
  return out.map((l) => l.join("")).join("\n");
}
