import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReferenceEnvironment } from "./reference-environment.js";
import { ownerDescription, sweepStaleVhosts } from "./stale-vhosts.js";

let admin: RabbitMqAdmin;
const names: string[] = [];

beforeAll(async () => {
  admin = (await checkReferenceEnvironment()).admin;
});

afterAll(async () => {
  await Promise.all(names.flatMap((n) => [admin.deleteVhost(`/${n}`), admin.deleteUser(n)]));
});

/** The pid of a process that has come and gone. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.once("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

async function ownedVhost(pid: number): Promise<{ name: string; dir: string }> {
  const name = `phobos-interop-stale-${randomBytes(5).toString("hex")}`;
  names.push(name);
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const description = JSON.parse(await ownerDescription(name, dir)) as Record<string, unknown>;
  await admin.createVhost(`/${name}`, { description: JSON.stringify({ ...description, pid }) });
  await admin.createUser(name, "pw");
  await admin.setPermissions(`/${name}`, name);
  return { name, dir };
}

describe("sweepStaleVhosts", () => {
  it("deletes the vhost, user and temp directory of a dead owner, and keeps a live owner's", async () => {
    const stale = await ownedVhost(await deadPid());
    const live = await ownedVhost(process.ppid);
    try {
      // Other test files sweep too, so the stale vhost may be gone before this sweep runs.
      const deleted = await sweepStaleVhosts(admin);
      expect(deleted).not.toContain(`/${live.name}`);
      expect(await admin.getVhost(`/${stale.name}`)).toBeUndefined();
      expect(await admin.getUser(stale.name)).toBeUndefined();
      await expect(stat(stale.dir)).rejects.toThrow(/ENOENT/);
      expect(await admin.getVhost(`/${live.name}`)).toBeDefined();
      expect((await stat(live.dir)).isDirectory()).toBe(true);
    } finally {
      await rm(live.dir, { recursive: true, force: true });
      await rm(stale.dir, { recursive: true, force: true });
    }
  });
});
