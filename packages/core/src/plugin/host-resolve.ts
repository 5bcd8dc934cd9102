import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The module hooks, as source: a data: URL needs no file beside the bundle,
 * so they work the same from a checkout, an npm install and a single-file
 * executable. Only a failed resolution of an `@phobos/` package is retried,
 * from the host app's package.json, so nothing else changes.
 */
const HOOKS = `
let host;
export function initialize(data) { host = data.host; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !specifier.startsWith("@phobos/") || context.parentURL === host) throw err;
    return next(specifier, { ...context, parentURL: host });
  }
}
`;

let registeredFor: string | undefined;

/**
 * A plugin copied into a libdir (by `mco plugin package`'s .deb, a tarball,
 * or by hand) declares `@phobos/core` as a peer dependency: the host
 * provides it, as MCollective provided `require 'mcollective'` to a Ruby
 * plugin in its libdir. Node resolves bare names from the importing file,
 * and a libdir has no node_modules with Phobos in it, so this makes
 * `@phobos/*` imports that fail from the plugin resolve from the app
 * (`hostDir`, the directory of mco's or mcollectived's package.json) — the
 * same copy of core the app itself runs. Registered once, on the first
 * plugin imported from outside the app's own dependencies.
 */
export function provideHostPackages(hostDir: string): void {
  if (registeredFor !== undefined) return;
  registeredFor = pathToFileURL(join(hostDir, "package.json")).href;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { host: registeredFor } });
}
