/**
 * Discovery without the network (flatfile, stdin, `mco rpc -j | mco rpc`)
 * and discovery that finds nobody, Phobos's mco beside Ruby's.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { both, normalize, run, startMixedFleet } from "./harness.js";

let fleet: RubyFleet;
let nodesFile: string;
let badFile: string;

beforeAll(async () => {
  fleet = await startMixedFleet("mco-discovery");
  nodesFile = join(fleet.dir, "nodes.txt");
  badFile = join(fleet.dir, "bad-nodes.txt");
  await writeFile(nodesFile, "# the web and app tiers\nnode1\n\n  node3  \n");
  await writeFile(badFile, "node1\nnode 2\n");
});

afterAll(async () => {
  await fleet?.dispose();
});

describe.concurrent("flatfile discovery", () => {
  it("--nodes FILE: blank and # lines skipped, requests straight to those nodes", async () => {
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "ping", "--nodes", nodesFile]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
    expect(phobos.stdout).toMatch(/^Finished processing 2 \/ 2 hosts/m);
    expect(phobos.stderr).toBe("Discovering hosts using the flatfile method .... 2\n");
  });

  it("--dm flatfile --do FILE with -I: names exactly, /regex/ as a regex", async () => {
    const exact = await both(fleet, ["find", "--dm", "flatfile", "--do", nodesFile, "-I", "node3"]);
    expect(exact.phobos.stdout).toBe("node3\n");
    expect(exact.phobos.stdout).toBe(exact.ruby.stdout);
    const regex = await both(fleet, ["find", "--dm", "flatfile", "--do", nodesFile, "-I", "/node[13]/"]);
    expect(regex.phobos.stdout).toBe("node1\nnode3\n");
    expect(regex.phobos.stdout).toBe(regex.ruby.stdout);
  });

  it("a line that is not an identity: an error naming file:line, exit 1", async () => {
    const r = await run(fleet, "phobos", ["find", "--nodes", badFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`${badFile}:2: 'node 2' is not an identity`);
  });

  it("compound filters need the daemons: -S switches to mc", async () => {
    const { ruby, phobos } = await both(fleet, ["find", "--nodes", nodesFile, "-S", "role=web", "--dt", "1"]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(phobos.stdout).toBe("node1\n");
  });
});

describe.concurrent("stdin discovery", () => {
  it("identities piped in, one a line", async () => {
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "ping"], { input: "node2\nnode4\n" });
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
    expect(phobos.stdout).toMatch(/^Finished processing 2 \/ 2 hosts/m);
    const find = await both(fleet, ["find"], { input: "node1\n" });
    expect(find.phobos.stdout).toBe("node1\n");
    expect(find.ruby.stdout).toBe("node1\n");
  });

  it("mco rpc -j | mco rpc: replies chain into the next request", async () => {
    const first = await run(fleet, "phobos", [
      "rpc",
      "rpcutil",
      "get_fact",
      "fact=role",
      "-F",
      "osfamily=Debian",
      "-j",
      "--dt",
      "1",
    ]);
    expect(first.code).toBe(0);
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "get_fact", "fact=datacenter"], {
      input: first.stdout,
    });
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
    expect(phobos.stdout).toMatch(/^Finished processing 3 \/ 3 hosts/m);
    // Ruby's JSON feeds Phobos too.
    const rubyJson = await run(fleet, "ruby", ["rpc", "rpcutil", "ping", "-I", "node2", "-j"]);
    const chained = await run(fleet, "phobos", ["find"], { input: rubyJson.stdout });
    expect(chained.stdout).toBe("node2\n");
  });

  it("--dm stdin --do text, and data that is only blanks", async () => {
    const text = await run(fleet, "phobos", ["find", "--dm", "stdin", "--do", "text"], { input: "node4\n" });
    expect(text.stdout).toBe("node4\n");
    const blank = await run(fleet, "phobos", ["find"], { input: "  \n" });
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain("data piped on STDIN contained only whitespace");
  });
});

describe.concurrent("nothing discovered", () => {
  it("rpc: MCollective's message on stderr, exit 1", async () => {
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "ping", "-F", "role=nothing", "--dt", "1"]);
    expect([ruby.code, phobos.code]).toEqual([1, 1]);
    expect(phobos.stdout).toBe(ruby.stdout);
    expect(phobos.stderr).toBe(
      "Discovering hosts using the mc method for 1 second(s) .... 0\n\nNo request sent, we did not discover any nodes.",
    );
  });

  it("facts: no replies to report", async () => {
    const { ruby, phobos } = await both(fleet, ["facts", "role", "-F", "role=nothing", "--dt", "1"]);
    expect(phobos.code).toBe(ruby.code);
    expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
  });
});
