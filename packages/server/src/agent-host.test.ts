/**
 * What a DDL timeout does to the work, through the same `runAgentRequest`
 * the daemon calls: the action's signal fires, the commands it started
 * (and theirs) are killed, an action that ignores the signal still leaves
 * the client with its status 5, and an action that blocks the event loop
 * is named in one WARN. Real child processes throughout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ActionRequest, Agent } from "@phobos/core";
import {
  createLogger,
  createRequestId,
  defineAgentDdl,
  emptyFilter,
  memorySink,
  rpcReplyFromRuby,
  rpcRequestToRuby,
} from "@phobos/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedAgent, runAgentRequest } from "./agent-host.js";
import { EventLoopWatch } from "./event-loop-watch.js";
import { processGone } from "./processes.js";
import { runCommand } from "./run-command.js";

const ddl = defineAgentDdl({
  metadata: {
    name: "hang",
    description: "Actions that outlive their timeout",
    author: "Phobos",
    license: "Apache-2.0",
    version: "1.0",
    url: "https://example.com/phobos",
    // Long enough for the shell to have started its child on a loaded machine.
    timeout: 3,
  },
  actions: Object.fromEntries(
    ["family", "deaf", "spin", "spin_later"].map((action) => [
      action,
      {
        description: action,
        display: "always" as const,
        input: {
          pids: {
            prompt: "Pids",
            description: "file",
            type: "string" as const,
            validation: /./,
            optional: true,
            maxlength: 0,
          },
        },
        output: {},
      },
    ]),
  ),
});

/** Busy-waits: the way a synchronous action (execSync, a tight loop) holds the loop. */
function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // holding the event loop on purpose
  }
}

const seenSignals: AbortSignal[] = [];
const deafRuns: (() => void)[] = [];

const instance: Agent = {
  actions: {
    // A shell that starts a grandchild and then sleeps, as an agent's tool run would.
    async family(request: ActionRequest) {
      seenSignals.push(request.signal);
      const pids = String(request.data.pids);
      await runCommand("sh", ["-c", `sleep 300 & echo $! >> ${pids}; echo $$ >> ${pids}; exec sleep 300`], {
        timeoutMs: 600_000,
      });
    },
    deaf() {
      return new Promise<void>((resolve) => deafRuns.push(resolve));
    },
    spin() {
      spin(2_000);
    },
    async spin_later() {
      await sleep(10);
      spin(2_000);
    },
  },
};

const agent: HostedAgent = { name: "hang", instance, ddl };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "phobos-agent-host-"));
});
afterAll(() => {
  for (const finish of deafRuns) finish();
  rmSync(dir, { recursive: true, force: true });
});

function request(action: string, data: Record<string, unknown> = {}) {
  return {
    senderid: "tester",
    requestid: createRequestId(),
    filter: emptyFilter(),
    collective: "mcollective",
    agent: "hang",
    ttl: 60,
    msgtime: Math.floor(Date.now() / 1000),
    callerid: "uid=500",
    body: rpcRequestToRuby({ agent: "hang", action, caller: "uid=500", data }),
  };
}

async function run(action: string, data: Record<string, unknown> = {}, watch?: EventLoopWatch) {
  const sink = memorySink("debug");
  const body = await runAgentRequest(agent, request(action, data), {
    log: createLogger(sink),
    validator: () => undefined,
    watch,
  });
  if (body === undefined) throw new Error("no reply");
  return { reply: rpcReplyFromRuby(body), sink };
}

describe("an action past its DDL timeout", () => {
  it("is answered status 5, its signal fires, and the command it ran and that command's child are killed", async () => {
    const pids = join(dir, "family.pids");
    const { reply } = await run("family", { pids });
    expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
      code: 5,
      msg: "hang#family did not finish within its 3s timeout",
    });
    const signal = seenSignals.at(-1);
    expect({ aborted: signal?.aborted, reason: (signal?.reason as Error | undefined)?.message }).toEqual({
      aborted: true,
      reason: "hang#family did not finish within its 3s timeout",
    });
    const written = (await readFile(pids, "utf8").catch(() => "")).trim().split("\n").filter(Boolean);
    expect(written, "the shell wrote its pid and its child's before the timeout").toHaveLength(2);
    const [grandchild, child] = written.map(Number);
    expect(await processGone(child as number)).toBe(true);
    expect(await processGone(grandchild as number)).toBe(true);
  });

  it("that ignores its signal still leaves the client with its status 5 reply", async () => {
    const { reply } = await run("deaf");
    expect({ code: reply.statuscode, msg: reply.statusmsg }).toEqual({
      code: 5,
      msg: "hang#deaf did not finish within its 3s timeout",
    });
    expect(deafRuns.length).toBe(1);
  });
});

describe("an action that blocks the event loop", () => {
  it("synchronously: one WARN names it", async () => {
    const log = memorySink("debug");
    const watch = new EventLoopWatch({ log: createLogger(log) });
    await run("spin", {}, watch);
    // Wait past a few of the watch's own ticks: it must not report the stall a second time.
    await sleep(1_000);
    expect(log.lines.filter((l) => l.level === "warn")).toEqual([
      {
        level: "warn",
        tag: "",
        message: expect.stringMatching(
          /^hang#spin blocked the event loop for \d+\.\ds: nothing else ran meanwhile .*Agents must not block/,
        ),
      },
    ]);
  });

  it("after an await: one WARN names it, found by the late timer", async () => {
    const log = memorySink("debug");
    const watch = new EventLoopWatch({ log: createLogger(log) });
    await run("spin_later", {}, watch);
    await sleep(1_000);
    expect(log.lines.filter((l) => l.level === "warn")).toEqual([
      {
        level: "warn",
        tag: "",
        message: expect.stringMatching(/^hang#spin_later blocked the event loop for \d+\.\ds: /),
      },
    ]);
  });
});
