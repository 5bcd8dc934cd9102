/**
 * The MCollective release whose protocol and behaviour Phobos reproduces.
 * Daemons report it as their version (rpcutil inventory, agent metadata), so
 * fleet tooling that keys on MCollective's version keeps working.
 */
export const PROTOCOL_VERSION = "2.12.5";

/** Written in by the build (esbuild `--define`) and by vitest, from @phobos/core's package.json. */
declare const __PHOBOS_VERSION__: string | undefined;

/**
 * This Phobos release: @phobos/core's own `version`, which `changeset version`
 * sets, baked in when the package is built, so no constant is edited by hand
 * and the published bundle needs no package.json at run time (a single-file
 * executable has none). Code compiled without the define says so instead of
 * claiming a release.
 */
export const PHOBOS_VERSION: string =
  typeof __PHOBOS_VERSION__ === "string" ? __PHOBOS_VERSION__ : "0.0.0-unbuilt";
