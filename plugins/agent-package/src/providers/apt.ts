import { createHash } from "node:crypto";
import { type CommandResult, errorTail, findExecutable, runCommand } from "@phobos/server";
import {
  assertPackageName,
  assertVersion,
  type CheckUpdates,
  type ManagerRun,
  type OutdatedPackage,
  type PackageProvider,
  type PackageStatus,
} from "./types.js";

export interface AptOptions {
  /** Kills a command that runs longer (the action's DDL timeout). */
  timeoutMs: number;
  /** `plugin.package.apt.config_file`: an apt.conf given to every apt-get as APT_CONFIG. */
  configFile?: string | undefined;
  /** `plugin.package.apt.lock_timeout`: seconds apt-get waits for another one's dpkg lock. */
  lockTimeout: number;
}

/** `[epoch:]upstream[-revision]`, as dpkg splits it. */
export function splitDebianVersion(full: string): { epoch: string; version: string; release?: string } {
  const colon = full.indexOf(":");
  const epoch = colon > 0 ? full.slice(0, colon) : "0";
  const rest = colon > 0 ? full.slice(colon + 1) : full;
  const dash = rest.lastIndexOf("-");
  return dash > 0
    ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch, version: rest };
}

/** dpkg's state word to MCollective's `ensure` (installed packages report their version). */
function ensureOf(state: string, version: string): string {
  if (state === "installed") return version;
  if (state === "not-installed" || state === "") return "purged";
  return "absent";
}

/** The lines of `dpkg --list` that are installed packages (`ii`). */
export function installedLines(dpkgList: string): string[] {
  return dpkgList.split("\n").filter((line) => line.startsWith("ii"));
}

const INST = /^Inst (.+?) \[.+?\] \((.+?)\s(.+?)\)/;

/** Upgrades `apt-get --simulate dist-upgrade` would make: `Inst pkg [old] (new repo [arch])`. */
export function parseAptSimulation(output: string): OutdatedPackage[] {
  const outdated: OutdatedPackage[] = [];
  for (const line of output.split("\n")) {
    const m = INST.exec(line);
    if (m)
      outdated.push({
        package: (m[1] ?? "").trim(),
        version: (m[2] ?? "").trim(),
        repo: (m[3] ?? "").trim(),
      });
  }
  return outdated;
}

/** Debian and its derivatives: dpkg-query to look, apt-get to change. */
export function createAptProvider(options: AptOptions): PackageProvider {
  const aptGet = () => {
    const path = findExecutable("apt-get");
    if (!path) throw new Error("Cannot find apt-get on this node (is it a Debian system?)");
    return path;
  };
  const env = {
    DEBIAN_FRONTEND: "noninteractive",
    APT_LISTCHANGES_FRONTEND: "none",
    // dpkg --list is as wide as COLUMNS says; MCollective hashed the 80-column listing.
    COLUMNS: undefined,
    ...(options.configFile ? { APT_CONFIG: options.configFile } : {}),
  };
  const run = (file: string, args: string[]): Promise<CommandResult> =>
    runCommand(file, args, { timeoutMs: options.timeoutMs, env });
  const apt = async (args: string[]): Promise<ManagerRun> => {
    const result = await run(aptGet(), [
      "-q",
      "-y",
      "-o",
      `DPkg::Lock::Timeout=${options.lockTimeout}`,
      "-o",
      "Dpkg::Options::=--force-confdef",
      "-o",
      "Dpkg::Options::=--force-confold",
      ...args,
    ]);
    return {
      exitcode: result.exitcode,
      output: result.stdout,
      ...(result.exitcode === 0 ? {} : { error: `apt-get ${args[0]} failed: ${errorTail(result)}` }),
    };
  };
  const dpkgList = async (): Promise<{ result: CommandResult; lines: string[] }> => {
    const dpkg = findExecutable("dpkg");
    if (!dpkg) throw new Error("Cannot find dpkg on this node");
    const result = await run(dpkg, ["--list"]);
    if (result.exitcode !== 0)
      throw new Error(`dpkg command failed, exit code was ${result.exitcode}: ${errorTail(result)}`);
    return { result, lines: installedLines(result.stdout) };
  };

  return {
    name: "apt",
    async status(pkg) {
      assertPackageName(pkg);
      const query = findExecutable("dpkg-query");
      if (!query) throw new Error("Cannot find dpkg-query on this node");
      const result = await run(query, [
        "-W",
        "-f",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format
        "${Status}\\t${Package}\\t${Version}\\t${Architecture}\\n",
        "--",
        pkg,
      ]);
      const purged: PackageStatus = { name: pkg, ensure: "purged", provider: "apt" };
      // Exit 1 with nothing listed: dpkg has never heard of it.
      if (result.exitcode === 1 && result.stdout.trim() === "") return purged;
      if (result.exitcode !== 0) throw new Error(`dpkg-query failed: ${errorTail(result)}`);
      const rows = result.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((line) => {
          const [status = "", name = pkg, full = "", arch = ""] = line.split("\t");
          return { state: status.split(" ").at(-1) ?? "", name, full, arch };
        });
      const row = rows.find((r) => r.state === "installed") ?? rows[0];
      if (!row) return purged;
      const ensure = ensureOf(row.state, row.full);
      if (ensure === "purged") return purged;
      const status: PackageStatus = { name: row.name, ensure, provider: "apt" };
      if (ensure !== "absent") {
        const parts = splitDebianVersion(row.full);
        status.epoch = parts.epoch;
        status.version = parts.version;
        if (parts.release !== undefined) status.release = parts.release;
        status.arch = row.arch;
      }
      return status;
    },
    install(pkg, version) {
      assertPackageName(pkg);
      if (version !== undefined) assertVersion(version);
      return version === undefined
        ? apt(["install", "--", pkg])
        : apt(["install", "--allow-downgrades", "--", `${pkg}=${version}`]);
    },
    update(pkg) {
      assertPackageName(pkg);
      return apt(["install", "--only-upgrade", "--", pkg]);
    },
    uninstall(pkg) {
      assertPackageName(pkg);
      return apt(["remove", "--", pkg]);
    },
    purge(pkg) {
      assertPackageName(pkg);
      return apt(["purge", "--", pkg]);
    },
    async count() {
      const { result, lines } = await dpkgList();
      return { exitcode: result.exitcode, output: String(lines.length) };
    },
    async md5() {
      const { result, lines } = await dpkgList();
      return { exitcode: result.exitcode, output: createHash("md5").update(lines.join("\n")).digest("hex") };
    },
    async checkupdates(): Promise<CheckUpdates> {
      const result = await run(aptGet(), ["--simulate", "dist-upgrade"]);
      if (result.exitcode !== 0) {
        throw new Error(`Apt check-update failed, exit code was ${result.exitcode}: ${errorTail(result)}`);
      }
      return {
        package_manager: "apt",
        output: result.stdout,
        exitcode: result.exitcode,
        outdated_packages: parseAptSimulation(result.stdout),
      };
    },
  };
}

/** `apt_update`: `apt-get update`, whichever provider handles packages. */
export async function aptUpdate(options: AptOptions): Promise<ManagerRun> {
  const path = findExecutable("apt-get");
  if (!path) throw new Error("Cannot find apt-get on this node (is it a Debian system?)");
  const result = await runCommand(
    path,
    ["-q", "-o", `DPkg::Lock::Timeout=${options.lockTimeout}`, "update"],
    {
      timeoutMs: options.timeoutMs,
      env: options.configFile ? { APT_CONFIG: options.configFile } : {},
    },
  );
  if (result.exitcode !== 0) {
    throw new Error(`apt-get update failed, exit code was ${result.exitcode}: ${errorTail(result)}`);
  }
  return { exitcode: result.exitcode, output: result.stdout };
}
