/**
 * The command line, through Ruby's `mco` and Phobos's.
 *
 * A mistyped option, for every
 * application both have: the same reason ("invalid option", "ambiguous
 * option"), the same word, the same "Did you mean?" names in the same
 * order, and exit 1. Ruby prints the suggestions on lines of their own
 * after its "application failed to run" wrapper; Phobos keeps its one-line
 * errors, so each side's text is read back into those three parts.
 *
 * `APP --help` exits 1 in both (Ruby's `exit! 1`); Phobos prints the help
 * where Ruby, off a terminal, loses it in its unflushed buffer.
 *
 * Option errors stop both before they connect: the config names a broker
 * port nobody listens on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRubyMco, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** [application, arguments]: typos near every kind of name, and some near nothing. */
const TYPOS: [string, string[]][] = [
  ["ping", ["--with-identoty", "node1"]],
  ["ping", ["--with_fct", "a=b"]],
  ["ping", ["--no-progrss"]],
  ["ping", ["--connetion-timeout", "3"]],
  ["ping", ["--grph"]],
  ["ping", ["--zzzzz"]],
  ["ping", ["-Z"]],
  ["ping", ["-w"]],
  ["rpc", ["--agnt", "rpcutil"]],
  ["rpc", ["--w"]],
  ["rpc", ["--no-reslts"]],
  ["rpc", ["--argumnet", "a=b"]],
  ["rpc", ["--dispaly", "all"]],
  ["rpc", ["--bach", "2"]],
  ["rpc", ["--limt-nodes", "1"]],
  ["find", ["--helo"]],
  ["find", ["--disc-methd", "mc"]],
  ["find", ["--targt", "x"]],
  ["facts", ["--wi-"]],
  ["facts", ["--timout", "3"]],
  ["inventory", ["--scrpt", "x"]],
  ["inventory", ["--list-colectives"]],
  ["inventory", ["--collectve-graph", "x"]],
  ["plugin", ["--pluginnam", "x"]],
  ["plugin", ["--revison", "1"]],
  ["plugin", ["--keep-artfacts"]],
  ["completion", ["--list-agnts"]],
  ["completion", ["--list-aplications"]],
  ["describe_filter", ["--with_fct", "a=b"]],
  ["describe_filter", ["--slect", "a=b"]],
];

interface Mistake {
  reason: string;
  word: string;
  suggestions: string[];
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Ruby: "…failed to run…: invalid option: --x\nDid you mean?  a\n               b". */
function rubyMistake(stderr: string): Mistake | undefined {
  const text = stderr.replace(ANSI, "");
  const m = /(invalid option|ambiguous option): (\S+)(?:\nDid you mean\? {2}(.*(?:\n {15}.*)*))?\n*$/.exec(
    text,
  );
  if (!m) return undefined;
  const suggestions = (m[3] ?? "")
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  return { reason: m[1] as string, word: m[2] as string, suggestions };
}

/** Phobos: "mco app: invalid option: --x (did you mean '--a', '--b' or '--c'?)". */
function phobosMistake(stderr: string): Mistake | undefined {
  const m = /^mco \S+: (invalid option|ambiguous option): (\S+)(?: \(did you mean (.*)\?\))?\n$/.exec(stderr);
  if (!m) return undefined;
  const suggestions = [...(m[3] ?? "").matchAll(/'--([^']+)'/g)].map((s) => s[1] as string);
  return { reason: m[1] as string, word: m[2] as string, suggestions };
}

let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mco-typos-"));
  configFile = await writeClientConfig(dir, {
    identity: "typos-client",
    broker: { connector: "rabbitmq", pool: [{ host: "127.0.0.1", port: 1, user: "u", password: "p" }] },
    security: { provider: "psk", psk: "typos" },
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a mistyped option", () => {
  it("gets Ruby's reason, word and suggestions, and exit 1, from both mcos", async () => {
    const runs = await Promise.all(
      TYPOS.map(async ([app, args]) => {
        const [ruby, phobos] = await Promise.all([
          runRubyMco([app, ...args], { configFile }),
          runRubyMco([app, ...args], { configFile, implementation: "phobos" }),
        ]);
        return { typed: `mco ${app} ${args.join(" ")}`, ruby, phobos };
      }),
    );
    for (const { typed, ruby, phobos } of runs) {
      const expected = rubyMistake(ruby.stderr);
      expect(expected, `${typed}: Ruby said ${JSON.stringify(ruby.stderr)}`).toBeDefined();
      expect(phobosMistake(phobos.stderr), `${typed}: Phobos said ${JSON.stringify(phobos.stderr)}`).toEqual(
        expected,
      );
      expect([typed, phobos.code, phobos.stdout]).toEqual([typed, ruby.code, ""]);
    }
    // The table is worth something only if Ruby suggested names for most of it.
    const suggested = runs.filter((r) => (rubyMistake(r.ruby.stderr)?.suggestions.length ?? 0) > 0);
    expect(suggested.length).toBeGreaterThan(TYPOS.length / 2);
  });
});

describe("APP --help", () => {
  const APPS = [
    "completion",
    "describe_filter",
    "facts",
    "find",
    "help",
    "inventory",
    "ping",
    "plugin",
    "rpc",
  ];

  it("exits as Ruby's does for every application, printing what mco help APP prints", async () => {
    const runs = await Promise.all(
      APPS.map(async (app) => {
        const [ruby, phobos, viaHelp] = await Promise.all([
          runRubyMco([app, "--help"], { configFile }),
          runRubyMco([app, "--help"], { configFile, implementation: "phobos" }),
          runRubyMco(["help", app], { configFile, implementation: "phobos" }),
        ]);
        return { app, ruby, phobos, viaHelp };
      }),
    );
    for (const { app, ruby, phobos, viaHelp } of runs) {
      expect([app, phobos.code]).toEqual([app, ruby.code]);
      expect([app, viaHelp.code]).toEqual([app, 0]);
      expect(phobos.stdout).toBe(viaHelp.stdout);
      expect(phobos.stdout).toContain("The Marionette Collective 2.12.5");
      expect(phobos.stderr).toBe("");
    }
    expect(runs.map((r) => r.ruby.code)).toEqual(APPS.map(() => 1));
  });
});
