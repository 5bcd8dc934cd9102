/**
 * puppet#status when the puppet binary hangs (a stuck `puppet config
 * print`, a dead NFS mount): the daemon answers status 5 at the DDL
 * timeout, and the command and what it started are killed with it instead
 * of living on for the command's own 60 s. Run through core's
 * `runAgentRequest`, as the daemon runs it, with a real hanging process.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger, emptyFilter, memorySink, rpcReplyFromRuby, rpcRequestToRuby } from "@phobos/core";
import { runAgentRequest } from "@phobos/core/server";
import { openPlugin } from "@phobos/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import puppet from "./agent.js";
import ddl from "./ddl.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "phobos-puppet-hang-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Alive and not a zombie (an init that is slow to reap must not count against the kill). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<true> {
  const deadline = Date.now() + 60_000;
  while (running(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive`);
    await sleep(50);
  }
  return true;
}

it("status with a hanging puppet binary: status 5 at the DDL timeout, and its process and child are gone", async () => {
  const pids = join(dir, "pids");
  const binary = join(dir, "puppet");
  writeFileSync(binary, `#!/bin/sh\nsleep 300 &\necho $! >> ${pids}\necho $$ >> ${pids}\nwait\n`);
  chmodSync(binary, 0o755);
  // The shipped 20 s would make a slow test; the rule under test is the same.
  const quick = { ...ddl, metadata: { ...ddl.metadata, timeout: 3 } };
  const plugin = await openPlugin(
    { definition: puppet, settings: { puppet_binary: binary } },
    "server",
    "n1",
  );
  try {
    const body = await runAgentRequest(
      { name: "puppet", instance: plugin.instance, ddl: quick },
      {
        senderid: "tester",
        requestid: "0123456789abcdef0123456789abcdef",
        filter: emptyFilter(),
        collective: "mcollective",
        agent: "puppet",
        ttl: 60,
        msgtime: Math.floor(Date.now() / 1000),
        callerid: "uid=0",
        body: rpcRequestToRuby({ agent: "puppet", action: "status", caller: "uid=0", data: {} }),
      },
      { log: createLogger(memorySink()), validator: () => undefined },
    );
    const reply = rpcReplyFromRuby(body as never);
    expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
      code: 5,
      msg: "puppet#status did not finish within its 3s timeout",
    });
    const written = (await readFile(pids, "utf8").catch(() => "")).trim().split("\n").filter(Boolean);
    expect(written, "the binary wrote its pid and its child's before the timeout").toHaveLength(2);
    const [child, binaryPid] = written.map(Number);
    expect(await gone(binaryPid as number)).toBe(true);
    expect(await gone(child as number)).toBe(true);
  } finally {
    plugin.close();
  }
}, 120_000);
