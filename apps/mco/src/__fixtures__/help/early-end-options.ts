/**
 * Phobos's own common options, after `--discovery-timeout` (README, "Discovery that ends early"):
 * Ruby's `mco` has no way to end discovery early, so its captured help lacks them.
 */
const EARLY_END_OPTIONS = [
  "        --discovery-window SECONDS   End discovery and ping once no reply came for this long (after the first; 0: wait the whole timeout)",
  "        --discovery-expected METHOD  End discovery and ping once every node this discovery method lists answered",
  "",
].join("\n");

/** Ruby's help text with Phobos's discovery options where Phobos prints them. */
export function withEarlyEndOptions(text: string): string {
  return text.replace(/^ +Timeout for doing discovery\n/m, (line) => `${line}${EARLY_END_OPTIONS}`);
}
