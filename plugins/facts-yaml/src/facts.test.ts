/**
 * `factsource = yaml`: core's facts conformance suite, then the plugin as
 * the daemon uses it, through core's FactsCache and lookupFact: several
 * files joined with `:`, nested facts by dotted name, a reload when a file
 * changes, and a broken file that leaves the last good facts in place. The
 * facts a YAML file yields are compared with what Ruby MCollective's own
 * yaml fact source makes of the same files.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, memorySink } from "@phobos/core";
import { PROVISION_HINT, writeRubyFix } from "@phobos/interop";
import { FactsCache, lookupFact, normalizeFacts } from "@phobos/server";
import { describeFactsPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yaml from "./facts.js";

let dir: string;
const file = (name: string) => join(dir, name);

// Files the conformance suite reads: created before any test runs.
const suiteDir = await mkdtemp(join(tmpdir(), "phobos-facts-yaml-suite-"));
await writeFile(join(suiteDir, "a.yaml"), "---\nrole: web\nnetworking:\n  ip: 10.0.0.1\n");
await writeFile(join(suiteDir, "b.yaml"), "---\nos: Debian\n");
describeFactsPlugin({
  definition: yaml,
  settings: { "": `${join(suiteDir, "a.yaml")}:${join(suiteDir, "b.yaml")}` },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-facts-yaml-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(suiteDir, { recursive: true, force: true });
});

async function source(files: string, sink = memorySink("debug")) {
  return { plugin: await openPlugin({ definition: yaml, settings: { "": files } }, "server", "node1"), sink };
}

/** What the daemon holds: the plugin behind core's cache, as mcollectived builds it. */
async function cached(files: string, cacheTimeSeconds = 300) {
  const sink = memorySink("debug");
  const { plugin } = await source(files);
  const cache = new FactsCache(plugin.instance, { cacheTimeSeconds, log: createLogger(sink) });
  return { cache, sink, close: () => plugin.close() };
}

/** Sets a file's mtime to `seconds` from now (whole seconds, as a coarse file system would). */
async function touch(path: string, seconds: number): Promise<Date> {
  const when = new Date((Math.floor(Date.now() / 1000) + seconds) * 1000);
  await utimes(path, when, when);
  return when;
}

describe("several files, joined with ':'", () => {
  it("are merged in order: a later file overrides an earlier one's fact", async () => {
    await writeFile(file("base.yaml"), "---\nrole: web\ndc: dc1\n");
    await writeFile(file("site.yaml"), "---\ndc: dc2\nowner: ops\n");
    const { cache, close } = await cached(`${file("base.yaml")}:${file("site.yaml")}`);
    expect(await cache.get()).toEqual({ role: "web", dc: "dc2", owner: "ops" });
    close();
  });

  it("a missing file is logged by name and the others still load", async () => {
    await writeFile(file("present.yaml"), "---\nrole: db\n");
    const { cache, close } = await cached(`${file("absent.yaml")}:${file("present.yaml")}`);
    const { plugin, sink } = await source(`${file("absent.yaml")}:${file("present.yaml")}`);
    expect(await plugin.instance.load()).toEqual({ role: "db" });
    expect(sink.lines.length + plugin.log.lines.length).toBeGreaterThan(0);
    expect(plugin.log.lines.map((l) => `${l.level} ${l.message}`)).toContainEqual(
      `error Can't find YAML file to load: ${file("absent.yaml")} (ENOENT)`,
    );
    expect(await cache.get()).toEqual({ role: "db" });
    plugin.close();
    close();
  });
});

describe("nested facts", () => {
  it("are found by dotted name through core's lookupFact, array levels by index", async () => {
    await writeFile(
      file("nested.yaml"),
      "---\nnetworking:\n  interfaces:\n    eth0:\n      ip: 10.1.2.3\n  dns: [10.0.0.53, 10.0.0.54]\nflat.name: kept\n",
    );
    const { cache, close } = await cached(file("nested.yaml"));
    const facts = await cache.get();
    expect(lookupFact(facts, "networking.interfaces.eth0.ip")).toBe("10.1.2.3");
    expect(lookupFact(facts, "networking.dns.1")).toBe("10.0.0.54");
    expect(lookupFact(facts, "flat.name")).toBe("kept");
    expect(lookupFact(facts, "networking.interfaces.eth9.ip")).toBeUndefined();
    expect(lookupFact(facts, "networking.dns.7")).toBeUndefined();
    close();
  });
});

describe("reloading", () => {
  it("a changed file is read again before the cache time runs out", async () => {
    await writeFile(file("reload.yaml"), "---\nrole: web\n");
    const { cache, close } = await cached(file("reload.yaml"), 3600);
    expect(await cache.get()).toEqual({ role: "web" });
    await writeFile(file("reload.yaml"), "---\nrole: db\n");
    const when = await touch(file("reload.yaml"), 5);
    expect(await cache.get()).toEqual({ role: "db" });
    // Same mtime since (within the cache time): the cached facts, the file is not read again.
    await writeFile(file("reload.yaml"), "---\nrole: sneaky\n");
    await utimes(file("reload.yaml"), when, when);
    expect(await cache.get()).toEqual({ role: "db" });
    close();
  });

  it("a file that no longer parses keeps the last good facts, and the log says which file and why", async () => {
    await writeFile(file("broken.yaml"), "---\nrole: web\n");
    const { cache, sink, close } = await cached(file("broken.yaml"), 3600);
    expect(await cache.get()).toEqual({ role: "web" });
    await writeFile(file("broken.yaml"), "---\nrole: [unclosed\n");
    await touch(file("broken.yaml"), 5);
    expect(await cache.get()).toEqual({ role: "web" });
    const errors = sink.lines.filter((l) => l.level === "error").map((l) => l.message);
    expect(errors).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Failed to load facts: .*Got empty facts from ${file("broken.yaml")}: Failed to load yaml facts from ${file("broken.yaml")}: .+; keeping the last good facts$`,
        ),
      ),
    );
    // Fixed again: read again.
    await writeFile(file("broken.yaml"), "---\nrole: app\n");
    await touch(file("broken.yaml"), 10);
    expect(await cache.get()).toEqual({ role: "app" });
    close();
  });

  it("a file that holds no mapping is refused with a reason", async () => {
    await writeFile(file("list.yaml"), "---\n- a\n- b\n");
    const { plugin } = await source(file("list.yaml"));
    await expect(plugin.instance.load()).rejects.toThrow(
      /list\.yaml does not hold a mapping of fact names to values/,
    );
    plugin.close();
  });
});

describe("the same files through Ruby MCollective's yaml fact source", () => {
  let fixDir: string;

  beforeAll(async () => {
    fixDir = await writeRubyFix(join(dir, "ruby-fix"));
  });

  /** Ruby's facts for `files`, from MCollective's own yaml fact source. */
  function rubyFacts(files: string): Record<string, unknown> {
    const script = fileURLToPath(new URL("./__fixtures__/ruby-yaml-facts.rb", import.meta.url));
    const run = spawnSync("ruby", [script, fixDir, files], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8" },
    });
    if (run.error || run.status !== 0) {
      throw new Error(
        `Ruby MCollective could not be asked (${run.error?.message ?? run.stderr}): ${PROVISION_HINT}`,
      );
    }
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  async function phobosFacts(files: string) {
    const { plugin } = await source(files);
    try {
      return {
        facts: normalizeFacts(await plugin.instance.load()),
        log: plugin.log.lines.map((l) => l.message),
      };
    } finally {
      plugin.close();
    }
  }

  // Plain scalars, each as Psych reads it: booleans, nulls, numbers in every base, symbols, floats…
  const scalars = [
    "hello",
    "hello world 5",
    "y",
    "n",
    "Y",
    "yes",
    "Yes",
    "YES",
    "no",
    "on",
    "off",
    "ON",
    "true",
    "False",
    "tRuE",
    "~",
    "null",
    "Null",
    "NULL",
    "nil",
    "0",
    "42",
    "-17",
    "+5",
    "010",
    "0_17",
    "08",
    "0x1f",
    "-0x1F",
    "0b101",
    "1_000",
    "1,000",
    "123456789012345678901",
    "0xffffffffffffffffff",
    "1.5",
    "1.50",
    "-1.5",
    "1.0e+3",
    "1.5E-3",
    "1e3",
    "1.",
    ".5",
    "+.",
    "1_000.5",
    ".inf",
    "-.inf",
    "+.INF",
    ".nan",
    ".NaN",
    "1:20",
    "1:20:30",
    "-1:20",
    "1:20.5",
    ":sym",
    ":'quoted sym'",
    ':"dq"',
    "::double",
    "v1.10",
    "10.0.0.1",
    "1.10",
    "2.0.0",
    "x86_64",
    "Debian",
    "3.10.0-1160.el7.x86_64",
    "@at",
    "%pct",
    "ünïcödé",
    "日本",
    "#notcomment",
    "a: b",
  ];

  it("yields the facts Ruby's yields, for plain scalars of every kind Psych knows", async () => {
    const lines = [
      "---",
      ...scalars.map(
        (value, i) =>
          `k${i}: ${value.startsWith("#") || value.includes(": ") ? JSON.stringify(value) : value}`,
      ),
    ];
    lines.push("empty:", "list: [1, two, 3.0, yes, ~]", "map: {a: 1, b: [x, y], 7: seven, on: switch}");
    lines.push(
      "anchored: &anchor {k: v, n: 1.0}",
      "aliased: *anchor",
      "merged:",
      "  <<: *anchor",
      "  k: override",
    );
    lines.push(
      ":symbol_key: symbol value",
      "quoted: '010'",
      'dquoted: "yes"',
      "multi: |",
      "  line one",
      "  line two",
    );
    await writeFile(file("scalars.yaml"), `${lines.join("\n")}\n`);
    await writeFile(file("second.yaml"), "---\nk0: overridden\nextra: 7\n");
    const files = `${file("scalars.yaml")}:${file("second.yaml")}`;
    const { facts } = await phobosFacts(files);
    const ruby = rubyFacts(files);
    const labelled = (f: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(f).map(([k, v]) => [
          /^k\d+$/.test(k) ? `${k} (${scalars[Number(k.slice(1))]})` : k,
          v,
        ]),
      );
    expect(labelled(facts as Record<string, unknown>)).toEqual(labelled(ruby));
  });

  it("a date or time in a file makes Ruby refuse the whole file, and Phobos too, saying why", async () => {
    await writeFile(file("dated.yaml"), "---\nrole: dated\nbuilt: 2024-01-31\n");
    await writeFile(file("timed.yaml"), "---\nrole: timed\nat: 2024-01-31 10:11:12\n");
    await writeFile(file("plain.yaml"), "---\nos: Debian\nrole: plain\n");
    const files = `${file("plain.yaml")}:${file("dated.yaml")}:${file("timed.yaml")}`;
    const { facts, log } = await phobosFacts(files);
    expect(facts).toEqual(rubyFacts(files));
    expect(facts).toEqual({ os: "Debian", role: "plain" });
    expect(log).toEqual([
      `Failed to load yaml facts from ${file("dated.yaml")}: Psych::DisallowedClass: Tried to load unspecified class: Date`,
      `Failed to load yaml facts from ${file("timed.yaml")}: Psych::DisallowedClass: Tried to load unspecified class: Time`,
    ]);
  });
});
