/** The codes MCollective's `Util.color` knows. */
export type ColorCode = "red" | "green" | "yellow" | "cyan" | "bold" | "reset";

const CODES: Record<ColorCode, string> = {
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
  bold: "\x1b[1m",
  reset: "\x1b[0m",
};

/** `Util.colorize(code, msg)`; the identity when color is off. */
export type Colorize = (code: ColorCode, text: unknown) => string;

/**
 * MCollective colors whenever `color` is on (its default), even into a pipe;
 * Phobos colors only a terminal, so scripts reading mco's output never see
 * escape codes.
 */
export function colorizer(enabled: boolean): Colorize {
  if (!enabled) return (_code, text) => String(text);
  return (code, text) => `${CODES[code]}${String(text)}${CODES.reset}`;
}
