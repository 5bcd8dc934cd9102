/**
 * The completion scripts shipped in completion/, driven as bash drives them,
 * and as `mco completion --bash|--zsh` prints them for installing.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { phobosBin, phobosCommand, phobosForm } from "@phobos/interop";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../completion/mco.bash", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mco", import.meta.url));
const driver = fileURLToPath(new URL("./__fixtures__/complete.sh", import.meta.url));

// Another `mco` first in PATH, as on a host that also has Ruby's: completion must never ask it.
const impostorDir = mkdtempSync(join(tmpdir(), "mco-impostor-"));
writeFileSync(join(impostorDir, "mco"), "#!/bin/sh\necho impostor\n");
chmodSync(join(impostorDir, "mco"), 0o755);
afterAll(() => rmSync(impostorDir, { recursive: true, force: true }));
const env = { PATH: `${impostorDir}:${process.env.PATH}`, HOME: tmpdir() };

function complete(file: string, ...words: string[]): string[] {
  const r = spawnSync("bash", [driver, file, ...words], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

function mco(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env });
}

describe("completion/mco.bash", () => {
  it("completes applications, agents, actions and inputs from the mco beside it", () => {
    expect(complete(script, "mco", "rp")).toEqual(["rpc "]);
    // Add-on agents (filemgr, puppet…) are installed beside rpcutil: complete from a prefix.
    expect(complete(script, "mco", "rpc", "rp")).toEqual(["rpcutil "]);
    expect(complete(script, "mco", "rpc", "")).toContain("rpcutil ");
    expect(complete(script, "mco", "rpc", "-I", "node1", "rpcutil", "get_f")).toEqual([
      "get_fact ",
      "get_facts ",
    ]);
    // An input waits for its value: no space after `=` (the script is registered with -o nospace).
    expect(complete(script, "mco", "rpc", "rpcutil", "get_data", "")).toEqual(["query=", "source="]);
  });

  it("completes an application's options from its --help", () => {
    expect(complete(script, "mco", "ping", "--gr")).toEqual(["--graph "]);
    expect(complete(script, "mco", "rpc", "--no-r")).toEqual(["--no-results "]);
    expect(complete(script, "mco", "rpc", "--display", "")).toEqual(["ok ", "failed ", "all "]);
  });

  it("offers every installed discovery method, from the plugin registry", () => {
    const methods = mco("completion", "--list-discovery-methods").stdout.split("\n").filter(Boolean);
    expect(methods).toEqual(expect.arrayContaining(["flatfile", "mc", "puppetdb", "stdin"]));
    expect(complete(script, "mco", "find", "--dm", "")).toEqual(methods.map((m) => `${m} `));
    expect(complete(script, "mco", "ping", "--disc-method", "pu")).toEqual(["puppetdb "]);
    expect(complete(script, "mco", "plugin", "doc", "pu")).toEqual(
      expect.arrayContaining(["puppet ", "puppetdb "]),
    );
  });
});

describe("mco completion --bash / --zsh", () => {
  it("prints the script with this mco's real path written in", () => {
    for (const shell of ["--bash", "--zsh"]) {
      const r = mco("completion", shell);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`\n_mco_bin='${realpathSync(bin)}'\n`);
      expect(r.stdout).not.toContain('_mco_bin=""');
    }
  });

  it("names the mco under test (the shipped launcher, not the app script behind it)", () => {
    const under = phobosCommand("mco", ["completion", "--bash"]);
    const r = spawnSync(under.command, under.args, { encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    const expected = phobosForm() === "shipped" ? phobosBin("mco") : realpathSync(phobosBin("mco"));
    expect(r.stdout).toContain(`\n_mco_bin='${expected}'\n`);
    const installed = join(mkdtempSync(join(tmpdir(), "mco-completion-under-test-")), "mco");
    writeFileSync(installed, r.stdout);
    expect(complete(installed, "mco", "rp")).toEqual(["rpc "]);
  });

  it("completes from that mco wherever the script is installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "mco-completion-installed-"));
    try {
      const installed = join(dir, "mco");
      writeFileSync(installed, mco("completion", "--bash").stdout);
      expect(complete(installed, "mco", "rp")).toEqual(["rpc "]);
      expect(complete(installed, "mco", "find", "--dm", "puppet")).toEqual(["puppetdb "]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
