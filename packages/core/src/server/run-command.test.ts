import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError } from "../errors.js";
import { errorTail, findExecutable, runCommand } from "./run-command.js";

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

describe("findExecutable", () => {
  it("finds a tool on PATH or in the sbin directories, and nothing that is not there", () => {
    expect(findExecutable("sh")).toMatch(/\/sh$/);
    expect(findExecutable("no-such-tool-phobos")).toBeUndefined();
  });
});
