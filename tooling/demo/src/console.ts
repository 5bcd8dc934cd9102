import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ROOT } from "./daemons.js";

const CONSOLE = join(ROOT, "apps/console/bin/phobos-console");

function runToEnd(args: string[], input: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CONSOLE, ...args], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdin.end(input);
    child.on("exit", (code) => done({ code: code ?? 1, stderr }));
  });
}

/**
 * The web console on the demo's client.cfg: an `admin` user with a
 * password made for this run, then phobos-console itself, pushed to
 * `processes` so the demo stops it with the daemons. Resolves once the
 * admin can sign in.
 */
export async function startConsole(
  client: string,
  processes: ChildProcess[],
): Promise<{ url: string; password: string }> {
  const password = randomBytes(12).toString("base64url");
  const added = await runToEnd(["-c", client, "user", "add", "admin"], `${password}\n`);
  if (added.code !== 0) throw new Error(`phobos-console user add admin failed: ${added.stderr.trim()}`);
  const child = spawn(process.execPath, [CONSOLE, "-c", client], { stdio: ["ignore", "pipe", "pipe"] });
  processes.push(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const seen = (d: Buffer) => {
      output += d;
      const m = /listening on (\S+)/.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.on("exit", (code) => reject(new Error(`phobos-console exited with ${code}: ${output.trim()}`)));
  });
  const signIn = await fetch(new URL("/api/session", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: "admin", password }),
  });
  if (signIn.status !== 200)
    throw new Error(`the console refused the admin's password: ${await signIn.text()}`);
  return { url, password };
}
