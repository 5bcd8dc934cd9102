/**
 * The filemgr agent: core's agent conformance suite, then each action on
 * real files in a temporary directory (what it creates, removes and
 * reports, and the failures an operator sees).
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rubyTimeToS } from "@phobos/core";
import { describeAgentPlugin, openAgentCaller } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import filemgr from "./agent.js";
import ddl from "./ddl.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-filemgr-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeAgentPlugin({
  definition: filemgr,
  ddl,
  settings: { touch_file: join(tmpdir(), `phobos-filemgr-conformance-${process.pid}`) },
  samples: {
    touch: { data: {}, statuscode: 0 },
    status: [
      { data: {}, statuscode: 0 },
      { data: { file: "/nonexistent/phobos/filemgr" }, statuscode: 1 },
    ],
    remove: [
      { data: {}, statuscode: 0 },
      { data: {}, statuscode: 1 },
    ],
  },
});

/** One request through the daemon's own path (DDL validation, error mapping), on a fresh agent. */
async function call(action: string, data: Record<string, unknown>, settings: Record<string, string> = {}) {
  const agent = await openAgentCaller({ definition: filemgr, ddl, settings, identity: "n1" });
  try {
    return await agent.call(action, data);
  } finally {
    agent.close();
  }
}

describe("touch", () => {
  it("creates a missing file, empty", async () => {
    const file = join(dir, "new");
    const reply = await call("touch", { file });
    expect([reply.statuscode, reply.statusmsg]).toEqual([0, "OK"]);
    expect(await readFile(file, "utf8")).toBe("");
  });

  it("moves an existing file's times to now and keeps its content", async () => {
    const file = join(dir, "old");
    await writeFile(file, "keep me");
    await utimes(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
    const reply = await call("touch", { file });
    expect(reply.statuscode).toBe(0);
    expect((await stat(file)).mtime.getFullYear()).toBeGreaterThan(2001);
    expect(await readFile(file, "utf8")).toBe("keep me");
  });

  it("without a file: plugin.filemgr.touch_file", async () => {
    const file = join(dir, "configured");
    expect((await call("touch", {}, { touch_file: file })).statuscode).toBe(0);
    expect((await stat(file)).isFile()).toBe(true);
  });

  it("a path through a regular file: fails with Ruby's Errno text", async () => {
    await writeFile(join(dir, "plain"), "");
    const file = join(dir, "plain", "inside");
    const reply = await call("touch", { file });
    expect(reply.statuscode).toBe(1);
    expect(reply.statusmsg).toBe(`Could not touch file '${file}': Errno::ENOTDIR: Not a directory - ${file}`);
  });

  it("a relative path is refused, naming it", async () => {
    const reply = await call("touch", { file: "relative/file" });
    expect([reply.statuscode, reply.statusmsg]).toEqual([1, "'relative/file' is not an absolute path"]);
  });
});

describe("remove", () => {
  it("removes a file", async () => {
    const file = join(dir, "doomed");
    await writeFile(file, "x");
    const reply = await call("remove", { file });
    expect([reply.statuscode, reply.statusmsg]).toEqual([0, "OK"]);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it("a missing file: fails, saying it is not present", async () => {
    const file = join(dir, "never-there");
    const reply = await call("remove", { file });
    expect([reply.statuscode, reply.statusmsg]).toEqual([
      1,
      `Could not remove file '${file}' - it is not present`,
    ]);
  });

  it("a dangling symlink is removed, the link itself", async () => {
    const link = join(dir, "dangling");
    await symlink(join(dir, "no-target"), link);
    expect((await call("remove", { file: link })).statuscode).toBe(0);
    await expect(stat(link)).rejects.toThrow(/ENOENT/);
  });

  it("a directory: fails with Ruby's Errno text", async () => {
    const sub = join(dir, "a-directory");
    await mkdir(sub);
    const reply = await call("remove", { file: sub });
    expect(reply.statuscode).toBe(1);
    expect(reply.statusmsg).toMatch(new RegExp(`^Could not remove file '${sub}': Errno::E(ISDIR|PERM): `));
  });
});

describe("status", () => {
  it("a file: present, size, mode, owner, times (Time#to_s and seconds), md5, type", async () => {
    const file = join(dir, "described");
    await writeFile(file, "hello\n", { mode: 0o640 });
    const when = new Date(2020, 4, 17, 10, 11, 12);
    await utimes(file, when, when);
    const s = await stat(file);
    const reply = await call("status", { file });
    expect(reply.statuscode).toBe(0);
    expect(reply.data).toEqual({
      name: file,
      output: "present",
      present: 1,
      size: 6,
      mode: "100640",
      md5: "b1946ac92492d2347c6235b4d2611184",
      mtime: rubyTimeToS(when),
      ctime: rubyTimeToS(s.ctime),
      atime: rubyTimeToS(when),
      mtime_seconds: Math.floor(when.getTime() / 1000),
      ctime_seconds: Math.floor(s.ctimeMs / 1000),
      atime_seconds: Math.floor(when.getTime() / 1000),
      uid: s.uid,
      gid: s.gid,
      type: "file",
      dir_listing: null,
    });
    expect(reply.data.mtime).toMatch(/^2020-05-17 10:11:12 [+-]\d{4}$/);
  });

  it("a directory with dirlist: its entries, without . and ..", async () => {
    const sub = join(dir, "listed");
    await mkdir(sub);
    await writeFile(join(sub, "a"), "");
    await writeFile(join(sub, "b"), "");
    const reply = await call("status", { file: sub, dirlist: true });
    expect(reply.data.type).toBe("directory");
    expect(reply.data.md5).toBe(0);
    expect([...(reply.data.dir_listing as string[])].sort()).toEqual(["a", "b"]);
    expect((await call("status", { file: sub })).data.dir_listing).toBeNull();
  });

  it("a symlink to a file: described as the link", async () => {
    await writeFile(join(dir, "target"), "t");
    const link = join(dir, "link");
    await symlink(join(dir, "target"), link);
    const reply = await call("status", { file: link });
    expect(reply.data.type).toBe("symlink");
    expect(reply.data.present).toBe(1);
  });

  it("a missing file: fails, with the not-present defaults", async () => {
    const file = join(dir, "absent");
    const reply = await call("status", { file });
    expect([reply.statuscode, reply.statusmsg]).toEqual([1, `${file} does not exist`]);
    expect(reply.data).toMatchObject({ name: file, output: "not present", present: 0, mode: "0000", md5: 0 });
  });
});
