/**
 * Vhosts left behind by a test process that died before disposing of its fleet. Each
 * fleet's vhost carries its owner in the description (pid and pid namespace, user, temp
 * directory); a later fleet deletes those whose owner is gone. The namespace makes this
 * safe on a broker shared with containers: a pid is only checked where it means
 * something. (The daemons themselves stop on their own when the harness dies.)
 */
import { readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, resolve } from "node:path";
import type { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";

const TOOL = "@phobos/interop";

export interface VhostOwner {
  readonly tool: typeof TOOL;
  readonly pid: number;
  /** `/proc/self/ns/pid` of the owner, e.g. `pid:[4026531836]`. */
  readonly pidns: string;
  readonly user: string;
  /** The owner's temp directory for this vhost, if any. */
  readonly dir?: string;
  readonly created: string;
}

async function pidNamespace(): Promise<string | undefined> {
  try {
    return await readlink("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

/** The description to give a vhost this process owns (and whose user is `user`). */
export async function ownerDescription(user: string, dir?: string): Promise<string> {
  const owner: VhostOwner = {
    tool: TOOL,
    pid: process.pid,
    pidns: (await pidNamespace()) ?? "unknown",
    user,
    ...(dir === undefined ? {} : { dir }),
    created: new Date().toISOString(),
  };
  return JSON.stringify(owner);
}

function parseOwner(description: unknown): VhostOwner | undefined {
  if (typeof description !== "string" || !description.includes(TOOL)) return undefined;
  try {
    const owner = JSON.parse(description) as Partial<VhostOwner>;
    if (owner.tool !== TOOL || typeof owner.pid !== "number" || typeof owner.user !== "string")
      return undefined;
    return owner as VhostOwner;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Only a directory directly in the temp directory named after the vhost is removed. */
function ownedTempDir(owner: VhostOwner, vhost: string): string | undefined {
  if (owner.dir === undefined) return undefined;
  const dir = resolve(owner.dir);
  const name = vhost.replace(/^\//, "");
  return dirname(dir) === resolve(tmpdir()) && name !== "" && basename(dir).startsWith(`${name}-`)
    ? dir
    : undefined;
}

/**
 * Deletes vhosts (with their users and temp directories) made by this harness in this
 * pid namespace whose owning process no longer exists. Returns the vhosts deleted.
 */
export async function sweepStaleVhosts(admin: RabbitMqAdmin): Promise<string[]> {
  const pidns = await pidNamespace();
  if (pidns === undefined) return [];
  const deleted: string[] = [];
  for (const vhost of await admin.listVhosts()) {
    const owner = parseOwner(
      vhost.description ?? (vhost.metadata as { description?: unknown } | undefined)?.description,
    );
    if (owner === undefined || owner.pidns !== pidns || owner.pid === process.pid || alive(owner.pid))
      continue;
    await admin.deleteVhost(vhost.name);
    await admin.deleteUser(owner.user);
    const dir = ownedTempDir(owner, vhost.name);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    deleted.push(vhost.name);
  }
  return deleted;
}
