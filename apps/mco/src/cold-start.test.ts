/**
 * `mco help` and `mco <app> --help` are answered from manifests and the
 * application's own module: no connector, security, agent or STOMP code is
 * loaded before an application asks to talk to the network. Runs the mco
 * under test (PHOBOS_UNDER_TEST: workspace bin or shipped executable).
 */
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runTracedMco } from "./__fixtures__/traced-mco.js";

const hook = fileURLToPath(new URL("./__fixtures__/trace-imports.mjs", import.meta.url));

function loaded(args: string[]): { modules: string[]; stdout: string; status: number | null } {
  const r = runTracedMco(args, hook, { HOME: tmpdir() });
  return { modules: r.trace, stdout: r.stdout, status: r.status };
}

// Plugins sit in plugins/ in the workspace and in node_modules/@phobos/ in the shipped tree.
const PLUGIN =
  /\/plugins\/|\/@phobos\/(?:agent|aggregate|application|audit|authorization|connector|data|discovery|facts|registration|security)-/;
const NETWORK = /connector-|security-|stomp-client|agent-rpcutil\/dist\/agent|data-builtin\/dist\/.*\/data/;

describe("cold start", () => {
  it("mco help loads the help application and no other plugin code", () => {
    const r = loaded(["help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("The Marionette Collective version 2.12.5");
    expect(r.modules.filter((m) => NETWORK.test(m))).toEqual([]);
    // The shipped tree bundles each package, and code that help shares with
    // other applications of its package sits in chunks; those are help's code too.
    const plugins = r.modules.filter((m) => PLUGIN.test(m));
    expect(plugins.filter((m) => !/application-builtin\/dist\/chunk-[\w-]+\.js$/.test(m))).toEqual([
      expect.stringMatching(/application-builtin\/dist\/help\.js$/),
    ]);
  });

  it("mco alone lists the applications from their manifests, loading none", () => {
    const r = loaded([]);
    expect(r.stdout).toContain("  rpc             Generic RPC agent client application\n");
    expect(r.modules.filter((m) => PLUGIN.test(m))).toEqual([]);
  });

  it("mco rpc --help loads the rpc application and nothing that talks to the network", () => {
    const r = loaded(["rpc", "--help"]);
    expect(r.stdout).toContain("Usage: mco rpc [options] [filters] <agent> <action>");
    expect(r.modules.filter((m) => NETWORK.test(m))).toEqual([]);
    expect(r.modules.some((m) => m.endsWith("application-builtin/dist/rpc.js"))).toBe(true);
  });

  // js-yaml (~130 KB) is for the plugins that read YAML (@phobos/core/psych), not for every command.
  it.each([[["help"]], [["rpc", "--help"]], [[]]])("mco %j loads no YAML parser", (args) => {
    const r = loaded(args);
    expect(r.modules.some((m) => m.includes("application-builtin/dist/"))).toBe(args.length > 0);
    expect(r.modules.filter((m) => /js-yaml|\/psych(?:-schema)?\.js$/.test(m))).toEqual([]);
  });
});
