import { readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReplayCache, replayDigest } from "./replay-cache.js";
import { JOURNAL_HEADER, ReplayJournal } from "./replay-journal.js";

describe("ReplayCache", () => {
  it("refuses an id seen inside its window and names when it was first seen", () => {
    const cache = new ReplayCache(10);
    expect(cache.check("a", 1060, 1000)).toBeUndefined();
    expect(cache.check("a", 1060, 1030)).toEqual({ firstSeen: 1000 });
    expect(cache.check("b", 1060, 1030)).toBeUndefined();
  });

  it("forgets an id once its request would be refused as expired anyway", () => {
    const cache = new ReplayCache(10);
    cache.check("a", 1060, 1000);
    expect(cache.check("a", 1200, 1061)).toBeUndefined();
  });

  it("stays within capacity: expired ids go first, then the oldest live ones, counted", () => {
    const cache = new ReplayCache(3);
    cache.check("old", 1010, 1000);
    cache.check("x", 1100, 1000);
    cache.check("y", 1100, 1000);
    cache.check("z", 1100, 1020);
    expect(cache.size).toBe(3);
    expect(cache.evictedLive).toBe(0);
    cache.check("w", 1100, 1020);
    expect(cache.size).toBe(3);
    expect(cache.evictedLive).toBe(1);
    // "x" was the oldest live id: a replay of it now passes, which the daemon logs.
    expect(cache.check("x", 1100, 1021)).toBeUndefined();
    expect(cache.check("w", 1100, 1021)).toEqual({ firstSeen: 1020 });
  });

  it("wants a positive capacity", () => {
    expect(() => new ReplayCache(0)).toThrow(RangeError);
  });
});

describe("ReplayCache with a journal", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "phobos-replay-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const reopen = (path: string, now: number) => {
    const { journal, load } = ReplayJournal.open(path, now);
    const cache = new ReplayCache(10, { journal });
    cache.restore(load.entries);
    return { cache, load };
  };

  it("remembers accepted keys across a restart, until they expire", () => {
    const path = join(dir, "state", "replay");
    const first = reopen(path, 1000);
    expect(first.load).toEqual({ entries: [], skipped: 0, created: true });
    expect(first.cache.check("signed:a", 1060, 1000)).toBeUndefined();
    expect(first.cache.check("signed:b", 1010, 1000)).toBeUndefined();
    first.cache.close();

    const second = reopen(path, 1030);
    // "b" expired at 1010: only "a" is still worth keeping.
    expect(second.load.entries).toHaveLength(1);
    expect(second.cache.check("signed:a", 1060, 1030)).toEqual({ firstSeen: 1000 });
    expect(second.cache.check("signed:b", 1090, 1030)).toBeUndefined();
    second.cache.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "state")).mode & 0o777).toBe(0o700);
  });

  it("holds digests, never the keys themselves (a request id is whatever the sender wrote)", () => {
    const path = join(dir, "replay");
    const { cache } = reopen(path, 1000);
    cache.check("requestid:evil\n9 9 line", 1060, 1000);
    cache.close();
    const text = readFileSync(path, "latin1");
    expect(text).not.toContain("evil");
    expect(text.split("\n")).toEqual([
      JOURNAL_HEADER,
      `1000 1060 ${replayDigest("requestid:evil\n9 9 line")}`,
      "",
    ]);
  });

  it("skips a torn last line and foreign lines, and counts them", () => {
    const path = join(dir, "replay");
    const digest = replayDigest("signed:a");
    writeFileSync(
      path,
      `${JOURNAL_HEADER}\n1000 1060 ${digest}\nnot a line\n1000 1060 ${digest.slice(0, 20)}`,
    );
    const { cache, load } = reopen(path, 1001);
    expect(load.skipped).toBe(2);
    expect(cache.check("signed:a", 1060, 1001)).toEqual({ firstSeen: 1000 });
    cache.close();
    // Loading rewrote the file with its live entries only.
    expect(readFileSync(path, "latin1").split("\n").length).toBe(3);
  });

  it("rewrites the file once expired lines outnumber live ones", () => {
    const path = join(dir, "replay");
    const { journal } = ReplayJournal.open(path, 1000);
    const cache = new ReplayCache(100_000, { journal });
    for (let i = 0; i < 3000; i++) cache.check(`signed:${i}`, 1000 + i + 1, 1000 + i);
    cache.close();
    // About 1,025 lines at most between rewrites, each request live for one second.
    const lines = readFileSync(path, "latin1").trimEnd().split("\n").length;
    expect(lines).toBeLessThanOrEqual(1030);
    const after = ReplayJournal.open(path, 4000);
    expect(after.load.entries.map((e) => e.digest)).toEqual([replayDigest("signed:2999")]);
    after.journal.close();
  });

  it("goes on in memory and says why once the journal cannot be written", () => {
    const path = join(dir, "replay");
    const { journal } = ReplayJournal.open(path, 1000);
    const errors: string[] = [];
    const cache = new ReplayCache(10, { journal, onJournalError: (err) => errors.push(err.message) });
    journal.close();
    expect(cache.check("signed:a", 1060, 1000)).toBeUndefined();
    expect(cache.check("signed:b", 1060, 1000)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/EBADF/);
    expect(cache.journalPath).toBeUndefined();
    expect(cache.check("signed:a", 1060, 1001)).toEqual({ firstSeen: 1000 });
  });

  it("cannot be opened where its directory cannot be made", () => {
    writeFileSync(join(dir, "file"), "");
    expect(() => ReplayJournal.open(join(dir, "file", "replay"), 1000)).toThrow(/EEXIST|ENOTDIR/);
  });
});
