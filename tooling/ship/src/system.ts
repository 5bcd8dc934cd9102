/**
 * What the install test does to the machine, each in one place: dpkg (which
 * waits for another dpkg to finish rather than failing), the state of
 * Debian's Ruby MCollective that must come out of the test unchanged, and
 * small file edits as an operator would make them.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function mustRun(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const result = run(command, args, env);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** dpkg, retried while another dpkg or apt (another test, an admin) holds its lock. */
export async function dpkg(args: string[]): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const result = run("dpkg", args, { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
    if (result.status === 0) return result.stdout + result.stderr;
    const locked = /lock|locked/i.test(result.stderr) && /dpkg/.test(result.stderr);
    if (!locked || attempt >= 600) {
      throw new Error(`dpkg ${args.join(" ")} exited ${result.status}:\n${result.stdout}${result.stderr}`);
    }
    await sleep(1000);
  }
}

/** A package's dpkg status and version, or undefined when it is not installed and has no config files left. */
export function packageStatus(name: string): string | undefined {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Field} format
  const result = run("dpkg-query", ["-W", "-f", "${Status} ${Version}", name]);
  if (result.status !== 0 || / not-installed/.test(result.stdout)) return undefined;
  return result.stdout;
}

export const RUBY_PACKAGES = ["mcollective", "mcollective-client", "mcollective-common"] as const;

/**
 * Ruby MCollective as the machine has it: package status and versions,
 * dpkg's verdict on its files (checksums, conffiles) and the files Phobos
 * could be mistaken for. Installing or removing Phobos's packages must
 * change none of it. (Its daemons come and go with the interop tests running
 * beside this one, so they are not compared; the init scripts match
 * processes by the shipped runtime's path, which no Ruby daemon runs.)
 */
export function rubyState(): string {
  const lines: string[] = [];
  for (const name of RUBY_PACKAGES) {
    lines.push(`${name}: ${packageStatus(name) ?? "not known to dpkg"}`);
    if (packageStatus(name)?.startsWith("install ok installed")) {
      lines.push(run("dpkg", ["--verify", name]).stdout.trim());
    }
  }
  for (const file of [
    "/etc/mcollective/server.cfg",
    "/etc/mcollective/client.cfg",
    "/usr/bin/mco",
    "/usr/sbin/mcollectived",
  ]) {
    lines.push(
      `${file}: ${existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "absent"}`,
    );
  }
  return lines.join("\n");
}

/** An operator's edit: lines appended (later lines win in MCollective's config format). */
export function appendLines(file: string, lines: string[]): void {
  appendFileSync(file, `\n# ship test (operator edit)\n${lines.join("\n")}\n`);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function hasCommand(name: string): boolean {
  return execFileSync("sh", ["-c", `command -v ${name} || true`], { encoding: "utf8" }).trim() !== "";
}

/** Shared with the Puppet module's test (packaging/puppet): whoever holds it owns the Phobos packages on this machine. */
export const DEBS_LOCK = "/tmp/phobos-debs.lock";

/**
 * Holds DEBS_LOCK until the returned function is called: dpkg has one
 * database and the services one set of ports, so two package tests (two
 * worktrees, or this one and the Puppet apply) must not interleave.
 */
export function holdDebsLock(): Promise<() => void> {
  return new Promise((done, fail) => {
    // flock(1) holds the lock while `cat` waits on its stdin; closing stdin lets go.
    const holder: ChildProcess = spawn("flock", ["-x", DEBS_LOCK, "sh", "-c", "echo locked; exec cat"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    holder.on("error", fail);
    holder.stdout?.once("data", () => done(() => holder.stdin?.end()));
    holder.once("exit", (code) => fail(new Error(`flock ${DEBS_LOCK} exited with ${code}`)));
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/**
 * The first port from `from` to `to` that 127.0.0.1 can listen on now. The
 * ranges the tests own lie inside Linux's ephemeral range, so on a machine
 * with thousands of loopback connections a fixed port is sometimes some
 * client's local end; the services are then configured with this one.
 */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 from ${from} to ${to}`);
}
