import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../bin/phobos-demo");

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, "--no-keep"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("phobos-demo", () => {
  it("brings up the embedded broker and three daemons, tours mco, and leaves nothing running", async () => {
    const { code, stdout, stderr } = await run();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const node of ["node1", "node2", "node3"])
      expect(stdout).toMatch(new RegExp(`^${node}\\s+time=`, "m"));
    expect(stdout).toContain("3 replies max:");
    expect(stdout).toMatch(/\$ mco find -F osfamily=Debian --dt 1\nnode[13]\nnode[13]\n/);
    expect(stdout).toMatch(/Report for fact: role/);
    expect(stdout).toMatch(/Inventory for node1:|node1\s+\n\s+Agents:/);
    expect(stdout).toContain("What to type next");
    // The demo signed in as admin with the password it printed before saying so.
    expect(stdout).toMatch(
      /The web console: http:\/\/127\.0\.0\.1:\d+\/\n {2}sign in as admin with the one-time password \S{16} /,
    );
    const dir = /Configs and logs: (\S+)/.exec(stdout)?.[1];
    const { existsSync } = await import("node:fs");
    expect(dir && existsSync(dir)).toBe(false);
  }, 180_000);
});
