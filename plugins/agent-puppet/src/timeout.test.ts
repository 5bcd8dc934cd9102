/**
 * puppet#status when the puppet binary hangs (a stuck `puppet config
 * print`, a dead NFS mount): the daemon answers status 5 at the DDL
 * timeout, and the command and what it started are killed with it instead
 * of living on for the command's own 60 s. Run through the daemon's own
 * request path with a real hanging process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAgentCaller, processGone, writeHangingCommand } from "@phobos/testing";
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

it("status with a hanging puppet binary: status 5 at the DDL timeout, and its process and child are gone", async () => {
  const binary = join(dir, "puppet");
  const hanging = writeHangingCommand(binary, join(dir, "pids"));
  // The shipped 20 s would make a slow test; the rule under test is the same.
  const quick = { ...ddl, metadata: { ...ddl.metadata, timeout: 3 } };
  const caller = await openAgentCaller({
    definition: puppet,
    settings: { puppet_binary: binary },
    ddl: quick,
  });
  try {
    const reply = await caller.call("status");
    expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
      code: 5,
      msg: "puppet#status did not finish within its 3s timeout",
    });
    const pids = await hanging.readPids();
    expect(pids, "the binary wrote its pid and its child's before the timeout").toHaveLength(2);
    for (const pid of pids) expect(await processGone(pid)).toBe(true);
  } finally {
    caller.close();
  }
});
