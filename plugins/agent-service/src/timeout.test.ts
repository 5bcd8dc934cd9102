/**
 * service#status when the init script hangs: the daemon answers status 5
 * at the DDL timeout, and the script and what it started are killed with
 * it, although the provider passes no signal (core's runCommand takes the
 * action's). Run through the daemon's own request path with a real
 * hanging process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAgentCaller, processGone, writeHangingCommand } from "@phobos/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import service from "./agent.js";
import ddl from "./ddl.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "phobos-service-hang-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("status with a hanging service command: status 5 at the DDL timeout, and its process and child are gone", async () => {
  const binary = join(dir, "service");
  const hanging = writeHangingCommand(binary, join(dir, "pids"));
  // The shipped 60 s would make a slow test; the rule under test is the same.
  const quick = { ...ddl, metadata: { ...ddl.metadata, timeout: 3 } };
  const caller = await openAgentCaller({
    definition: service,
    settings: { provider: "service", "service.servicecmd": binary },
    ddl: quick,
  });
  try {
    const reply = await caller.call("status", { service: "hangs" });
    expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
      code: 5,
      msg: "service#status did not finish within its 3s timeout",
    });
    const pids = await hanging.readPids();
    expect(pids, "the command wrote its pid and its child's before the timeout").toHaveLength(2);
    for (const pid of pids) expect(await processGone(pid)).toBe(true);
  } finally {
    caller.close();
  }
});
