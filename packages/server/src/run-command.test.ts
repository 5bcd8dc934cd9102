import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CommandError } from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunning, processGone } from "./processes.js";
import { errorTail, findExecutable, runCommand, runWithCommandSignal } from "./run-command.js";

describe("runCommand", () => {
  it("passes arguments as a vector: shell syntax is just text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-run-command-"));
    try {
      const marker = join(dir, "marker");
      const r = await runCommand("echo", [`x; touch ${marker}`, "$(id)"], { timeoutMs: 10_000 });
      expect(r).toEqual({ exitcode: 0, stdout: `x; touch ${marker} $(id)\n`, stderr: "" });
      expect(() => writeFileSync(marker, "", { flag: "wx" })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands back a non-zero exit with its output, and sets or removes environment variables", async () => {
    const r = await runCommand(
      "sh",
      ["-c", 'echo "$LC_ALL-$PHOBOS_X" >&2; printenv HOME >&2 || echo no-home >&2; exit 3'],
      {
        timeoutMs: 10_000,
        env: { PHOBOS_X: "set", HOME: undefined },
      },
    );
    expect(r).toEqual({ exitcode: 3, stdout: "", stderr: "C-set\nno-home\n" });
    expect(errorTail(r)).toBe("C-set\nno-home");
    expect(errorTail({ exitcode: 4, stdout: "", stderr: "" })).toBe("exit code 4");
  });

  it("a command that outlives its timeout is killed with an error saying so", async () => {
    const run = runCommand("sleep", ["30"], { timeoutMs: 300 });
    await expect(run).rejects.toThrow(
      new CommandError("sleep 30 did not finish within 0.3s and was killed", { timedOut: true }),
    );
    await expect(run).rejects.toMatchObject({ timedOut: true, code: "COMMAND_TIMEOUT" });
  });

  it("a command that does not exist is an error naming it", async () => {
    const run = runCommand("/nonexistent/tool", [], { timeoutMs: 10_000 });
    await expect(run).rejects.toThrow(/^cannot run \/nonexistent\/tool: .*ENOENT/);
    await expect(run).rejects.toMatchObject({ timedOut: false, code: "COMMAND" });
  });
});

/** Waits for the pids a command wrote, one per line, into `file`. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const pids = (await readFile(file, "utf8").catch(() => ""))
      .split("\n")
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) throw new Error(`${file} did not get ${count} pids`);
    await sleep(50);
  }
}

describe("runCommand and its process group", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "phobos-run-command-group-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // The shell backgrounds a grandchild, records both pids, then becomes the long sleep itself.
  const family = (pids: string, grandchild = "sleep 300") => [
    "-c",
    `${grandchild} & echo $! >> ${pids}; echo $$ >> ${pids}; exec sleep 300`,
  ];

  it("aborting its signal kills the command and what it started, with an error giving the reason", async () => {
    const pids = join(dir, "pids");
    const controller = new AbortController();
    const run = runCommand("sh", family(pids), { timeoutMs: 600_000, signal: controller.signal });
    const [grandchild, child] = await pidsIn(pids, 2);
    controller.abort(new Error("demo#slow did not finish within its 1s timeout"));
    await expect(run).rejects.toThrow(
      new CommandError(
        `sh ${family(pids).join(" ")} was killed: demo#slow did not finish within its 1s timeout`,
        { aborted: true },
      ),
    );
    await expect(run).rejects.toMatchObject({ aborted: true, timedOut: false, code: "COMMAND_ABORTED" });
    expect(await processGone(child as number)).toBe(true);
    expect(await processGone(grandchild as number)).toBe(true);
  });

  it("a grandchild that ignores TERM is killed after the grace", async () => {
    const pids = join(dir, "pids");
    const controller = new AbortController();
    const run = runCommand("sh", family(pids, `sh -c 'trap "" TERM; exec sleep 300'`), {
      timeoutMs: 600_000,
      signal: controller.signal,
      killGraceMs: 200,
    });
    const [grandchild] = await pidsIn(pids, 2);
    controller.abort();
    await expect(run).rejects.toMatchObject({ aborted: true });
    expect(await processGone(grandchild as number)).toBe(true);
  });

  it("its own timeout kills the process group too", async () => {
    const pids = join(dir, "pids");
    const run = runCommand("sh", family(pids), { timeoutMs: 1_000 });
    const [grandchild, child] = await pidsIn(pids, 2);
    await expect(run).rejects.toMatchObject({ timedOut: true, code: "COMMAND_TIMEOUT" });
    expect(await processGone(child as number)).toBe(true);
    expect(await processGone(grandchild as number)).toBe(true);
  });

  it("without a signal of its own, it takes the one of the action it runs for", async () => {
    const pids = join(dir, "pids");
    const controller = new AbortController();
    // Started from a callback, as a provider deep in an agent would: the context follows.
    const run = runWithCommandSignal(controller.signal, () =>
      Promise.resolve().then(() => runCommand("sh", family(pids), { timeoutMs: 600_000 })),
    );
    const [grandchild, child] = await pidsIn(pids, 2);
    controller.abort(new Error("gave up"));
    await expect(run).rejects.toThrow(/ was killed: gave up$/);
    expect(await processGone(child as number)).toBe(true);
    expect(await processGone(grandchild as number)).toBe(true);
  });

  it("with a signal already aborted, nothing is started", async () => {
    const marker = join(dir, "marker");
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(
      runCommand("touch", [marker], { timeoutMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow(new CommandError(`touch ${marker} was not started: too late`, { aborted: true }));
    expect(() => writeFileSync(marker, "", { flag: "wx" })).not.toThrow();
  });

  it("once the command has exited, an abort leaves what it left running alone (an init script's daemon)", async () => {
    const pids = join(dir, "pids");
    const controller = new AbortController();
    const result = await runCommand(
      "sh",
      ["-c", `sleep 300 >/dev/null 2>&1 & echo $! >> ${pids}; echo started`],
      { timeoutMs: 600_000, signal: controller.signal },
    );
    expect(result).toEqual({ exitcode: 0, stdout: "started\n", stderr: "" });
    const [daemon] = await pidsIn(pids, 1);
    controller.abort();
    try {
      expect(isRunning(daemon as number)).toBe(true);
    } finally {
      process.kill(daemon as number, "SIGKILL");
    }
  });
});

describe("findExecutable", () => {
  it("finds a tool on PATH or in the sbin directories, and nothing that is not there", () => {
    expect(findExecutable("sh")).toMatch(/\/sh$/);
    expect(findExecutable("no-such-tool-phobos")).toBeUndefined();
  });
});

describe("runCommand's output cap, user and directory", () => {
  it("keeps maxOutputBytes of each stream, drops the rest, says so, and lets the command finish", async () => {
    const r = await runCommand("sh", ["-c", "head -c 50000 /dev/zero | tr '\\0' o; echo e >&2; exit 4"], {
      timeoutMs: 30_000,
      maxOutputBytes: 100,
    });
    expect(r).toEqual({ exitcode: 4, stdout: "o".repeat(100), stderr: "e\n", truncated: true });
    const small = await runCommand("echo", ["hi"], { timeoutMs: 30_000, maxOutputBytes: 100 });
    expect(small).toEqual({ exitcode: 0, stdout: "hi\n", stderr: "", truncated: false });
  });

  it("runs in cwd as uid and gid, without the daemon's supplementary groups", async () => {
    // nobody and nogroup (65534) exist on every Debian; root is needed to switch.
    const r = await runCommand("sh", ["-c", "pwd; id -u; id -g; id -G"], {
      timeoutMs: 30_000,
      cwd: "/",
      uid: 65534,
      gid: 65534,
    });
    expect(r.stdout).toBe("/\n65534\n65534\n65534\n");
  });
});
