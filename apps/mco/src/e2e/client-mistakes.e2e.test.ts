/**
 * Client mistakes that Ruby's mco leaves silent. A filter no daemon could
 * evaluate is refused before anything is sent, on one line naming the
 * option, its text and the error, exit 1 (Ruby's mco sends it: every daemon
 * logs a RegexpError, and the client prints nothing and exits 1 after its
 * discovery timeout); that nothing was sent is seen on the daemons' message
 * counters. A psk the daemons do not share gets the same stdout as Ruby's
 * and one stderr line naming the likely causes.
 */
import { join } from "node:path";
import { type RubyFleet, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { both, MIXED_NODES, messagesReceived, run, startMixedFleet } from "./harness.js";

let fleet: RubyFleet;

beforeAll(async () => {
  fleet = await startMixedFleet(
    "mco-mistakes",
    MIXED_NODES.filter((n) => n.identity === "node1" || n.identity === "node3"),
  );
});

afterAll(async () => {
  await fleet?.dispose();
});

const BAD_CLASS = "invalid Ruby regular expression /[/: premature end of char-class";

const BAD_FILTERS: [string[], string][] = [
  [["find", "-F", "x=/[/"], `mco find: -F "x=/[/": ${BAD_CLASS} at column 4`],
  [["find", "-W", "base x=/[/"], `mco find: -W "base x=/[/": ${BAD_CLASS} at column 9`],
  [["find", "-W", "/[/"], `mco find: -W "/[/": ${BAD_CLASS} at column 2`],
  [["find", "-I", "/[/"], `mco find: -I "/[/": ${BAD_CLASS} at column 2`],
  [["find", "-C", "/[/"], `mco find: -C "/[/": ${BAD_CLASS} at column 2`],
  [["find", "-A", "/[/"], `mco find: -A "/[/": ${BAD_CLASS} at column 2`],
  [["find", "-S", "role=web and x=/[/"], `mco find: -S "role=web and x=/[/": ${BAD_CLASS} at column 17`],
  [["find", "-S", "/[/"], `mco find: -S "/[/": ${BAD_CLASS} at column 2`],
  [["rpc", "rpcutil", "ping", "-I", "/[/"], `mco rpc: -I "/[/": ${BAD_CLASS} at column 2`],
  [
    ["find", "-S", "fact('role').value=="],
    `mco find: -S "fact('role').value==": the data query fact('role').value has no value after '==' at column 21`,
  ],
];

describe("a filter no daemon could evaluate", () => {
  it("fails on one line naming the filter and the error, exit 1, and sends nothing", async () => {
    const before = await messagesReceived(fleet, ["node1", "node3"]);
    const runs = await Promise.all(BAD_FILTERS.map(([args]) => run(fleet, "phobos", args)));
    runs.forEach((r, i) => {
      const [args, line] = BAD_FILTERS[i] as (typeof BAD_FILTERS)[number];
      const what = args.join(" ");
      expect(r.stderr, what).toBe(`${line}\n`);
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toBe("");
    });
    const after = await messagesReceived(fleet, ["node1", "node3"]);
    // The only new message each daemon saw is the second daemon_stats request.
    expect(after).toEqual({ node1: (before.node1 ?? 0) + 1, node3: (before.node3 ?? 0) + 1 });
  });

  it("Ruby's mco exits 1 on the same regexes (after sending them)", async () => {
    const regexCases = BAD_FILTERS.filter(
      ([args]) => args.includes("/[/") || args.some((a) => a.endsWith("/[/")),
    );
    const runs = await Promise.all(regexCases.map(([args]) => run(fleet, "ruby", args)));
    expect(runs.map((r) => r.code)).toEqual(regexCases.map(() => 1));
  });
});

const SILENCE_HINT =
  "No node answered: if mcollectived runs on them, check that securityprovider 'psk' and plugin.psk and collective 'mcollective' match the daemons' (a daemon drops a request it cannot validate without replying)\n";

describe.concurrent("a psk the daemons do not share", () => {
  const wrongPsk = () =>
    writeClientConfig(join(fleet.dir, "client-wrong-psk"), {
      ...fleet.clientConfigOptions,
      security: { provider: "psk", psk: "not-the-fleet-psk" },
    });

  it("ping: Ruby's stdout and exit code, and one stderr line naming the likely causes", async () => {
    const configFile = await wrongPsk();
    const [ruby, phobos] = await Promise.all([
      run(fleet, "ruby", ["ping", "-t", "1"], { configFile }),
      run(fleet, "phobos", ["ping", "-t", "1"], { configFile }),
    ]);
    expect(phobos.stdout).toBe(ruby.stdout);
    expect(phobos.stdout).toBe("\n\n---- ping statistics ----\nNo responses received\n");
    expect(phobos.code).toBe(ruby.code);
    expect(phobos.stderr).toBe(SILENCE_HINT);
  });

  it("rpc: after Ruby's 'did not discover any nodes', the same line", async () => {
    const configFile = await wrongPsk();
    const r = await run(fleet, "phobos", ["rpc", "rpcutil", "ping", "--dt", "1"], { configFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Discovering hosts using the mc method for 1 second(s) .... 0\n\nNo request sent, we did not discover any nodes.\n${SILENCE_HINT}`,
    );
  });

  it("no hint when the psk is right and the filter merely matches nothing, or when nodes answer", async () => {
    const [nobody, everyone] = await Promise.all([
      both(fleet, ["ping", "-t", "1", "-F", "role=nothing"]),
      run(fleet, "phobos", ["ping", "-t", "1"]),
    ]);
    expect(nobody.phobos.stdout).toBe(nobody.ruby.stdout);
    expect(nobody.phobos.stderr).toBe("");
    expect(everyone.stderr).toBe("");
  });
});
