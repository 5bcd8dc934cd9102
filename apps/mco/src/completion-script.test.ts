/** The bash completion script shipped in completion/mco.bash, driven as bash drives it. */
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../completion/mco.bash", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mco", import.meta.url));

const driver = fileURLToPath(new URL("./__fixtures__/complete.sh", import.meta.url));

function complete(...words: string[]): string[] {
  const r = spawnSync("bash", [driver, script, ...words], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: tmpdir(), MCO: `${process.execPath} ${bin}` },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

describe("completion/mco.bash", () => {
  it("completes applications, agents, actions and inputs from mco completion", () => {
    expect(complete("mco", "r")).toEqual(["rpc"]);
    // Add-on agents (filemgr, puppet…) are installed beside rpcutil: complete from a prefix.
    expect(complete("mco", "rpc", "rp")).toEqual(["rpcutil"]);
    expect(complete("mco", "rpc", "")).toContain("rpcutil");
    expect(complete("mco", "rpc", "-I", "node1", "rpcutil", "get_f")).toEqual(["get_fact", "get_facts"]);
    expect(complete("mco", "rpc", "rpcutil", "get_data", "")).toEqual(["query=", "source="]);
  });

  it("completes an application's options from its --help", () => {
    expect(complete("mco", "ping", "--gr")).toEqual(["--graph"]);
    expect(complete("mco", "rpc", "--no-r")).toEqual(["--no-results"]);
    expect(complete("mco", "rpc", "--display", "")).toEqual(["ok", "failed", "all"]);
  });
});
