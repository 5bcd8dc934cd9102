/**
 * `mco filemgr` end to end: the real Phobos `mco` against two real Phobos
 * daemons (apps/mcollectived) on RabbitMQ, each managing files in its own
 * directory through `plugin.filemgr.touch_file`.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RubyFleet, type RubyFleetNode, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let fleet: RubyFleet;
let work: string;
const AGENTS = ["discovery", "rpcutil", "filemgr"];

const node = (identity: string): RubyFleetNode => ({
  identity,
  implementation: "phobos",
  facts: { role: identity },
  agents: AGENTS,
  extra: { "plugin.filemgr.touch_file": join(work, `${identity}.touch`) },
});

const mco = (args: string[]) => fleet.mco(["filemgr", ...args], { implementation: "phobos" });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-mco-filemgr-"));
  fleet = await startRubyFleet({ vhostPrefix: "phobos-filemgr", nodes: [node("fm1"), node("fm2")] });
});

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.sequential("mco filemgr", () => {
  const shared = () => join(work, "shared");

  it("touch: creates the file on every node, prints only the stats", async () => {
    const r = await mco(["--file", shared(), "touch", "--dt", "1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\n?Finished processing 2 \/ 2 hosts in \d+\.\d\d ms\n$/m);
    expect((await stat(shared())).isFile()).toBe(true);
  });

  it("status: one line per node, `%-40s: %s`", async () => {
    const r = await mco(["-f", shared(), "status", "--dt", "1"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("fm"));
    expect(lines.sort()).toEqual([`${"fm1".padEnd(40)}: present`, `${"fm2".padEnd(40)}: present`]);
    expect(r.stdout).toMatch(/Finished processing 2 \/ 2 hosts/);
  });

  it("status --details: every field, as printrpc lays them out", async () => {
    const r = await mco(["-f", shared(), "status", "-d", "-I", "fm1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fm1\s*$/m);
    for (const label of ["Name", "Status", "Present", "Size", "Mode", "MD5", "Owner", "Group", "Type"]) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${label}: `, "m"));
    }
    expect(r.stdout).toMatch(/^\s+MD5: d41d8cd98f00b204e9800998ecf8427e$/m);
    expect(r.stdout).toMatch(/^\s+Type: file$/m);
  });

  it("remove: the first node removes it, the second reports it gone (exit 2)", async () => {
    const first = await mco(["-f", shared(), "remove", "-I", "fm1"]);
    expect(first.code).toBe(0);
    await expect(stat(shared())).rejects.toThrow(/ENOENT/);
    const second = await mco(["-f", shared(), "remove", "-I", "fm2"]);
    expect(second.code).toBe(2);
    expect(second.stdout).toContain(`Could not remove file '${shared()}' - it is not present`);
  });

  it("status of a missing file: not present on every node", async () => {
    const r = await mco(["-f", shared(), "status", "--dt", "1"]);
    expect(r.code).toBe(2);
    expect(
      r.stdout
        .split("\n")
        .filter((l) => l.startsWith("fm"))
        .sort(),
    ).toEqual([`${"fm1".padEnd(40)}: not present`, `${"fm2".padEnd(40)}: not present`]);
  });

  it("a relative path comes back as a clean failure; an unknown command is refused before sending", async () => {
    const relative = await mco(["-f", "relative.txt", "touch", "-I", "fm1"]);
    expect(relative.code).toBe(2);
    expect(relative.stdout).toContain("'relative.txt' is not an absolute path");
    const bad = await mco(["-f", shared(), "chmod"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Valid commands are 'touch', 'status', and 'remove'");
  });

  it("--file is mandatory", async () => {
    const r = await mco(["status"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain("The file option is mandatory");
  });
});
