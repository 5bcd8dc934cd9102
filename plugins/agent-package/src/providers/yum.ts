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

export interface YumOptions {
  timeoutMs: number;
}

export const YUM_CLEAN_MODES = [
  "all",
  "headers",
  "packages",
  "metadata",
  "dbcache",
  "plugins",
  "expire-cache",
];

/** dnf where the host has it, else yum: both take the same words for what the agent does. */
function manager(): { name: "dnf" | "yum"; path: string } {
  for (const name of ["dnf", "yum"] as const) {
    const path = findExecutable(name);
    if (path) return { name, path };
  }
  throw new Error("Cannot find yum or dnf on this node (is it an RPM based system?)");
}

const QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";

/** One package of `rpm -q --qf QUERY_FORMAT`, the newest when several versions are installed. */
export function parseRpmQuery(output: string, pkg: string): PackageStatus | undefined {
  const rows = output.split("\n").filter((l) => l.split("\t").length === 5);
  const last = rows.at(-1);
  if (last === undefined) return undefined;
  const [name = pkg, epoch = "0", version = "", release = "", arch = ""] = last.split("\t");
  return {
    name,
    epoch,
    version,
    release,
    arch,
    ensure: `${epoch === "0" ? "" : `${epoch}:`}${version}-${release}`,
    provider: "yum",
  };
}

/**
 * `yum -q check-update` / `dnf -q check-update`: `name.arch  version  repo`
 * lines until the obsoletes section.
 */
export function parseCheckUpdate(output: string): OutdatedPackage[] {
  const outdated: OutdatedPackage[] = [];
  for (const line of output.trim().split("\n")) {
    if (/^Obsoleting\sPackages/i.test(line)) break;
    const [pkg, version, repo] = line.split(/\s+/).filter((w) => w !== "");
    if (pkg && version && repo) outdated.push({ package: pkg, version, repo });
  }
  return outdated;
}

/** RPM based distributions: rpm to look, dnf or yum to change. */
export function createYumProvider(options: YumOptions): PackageProvider {
  const run = (file: string, args: string[]): Promise<CommandResult> =>
    runCommand(file, args, { timeoutMs: options.timeoutMs });
  const rpm = () => {
    const path = findExecutable("rpm");
    if (!path) throw new Error("Cannot find rpm on this node");
    return path;
  };
  const change = async (args: string[]): Promise<ManagerRun> => {
    const m = manager();
    const result = await run(m.path, ["-y", "-q", ...args]);
    return {
      exitcode: result.exitcode,
      output: result.stdout,
      ...(result.exitcode === 0 ? {} : { error: `${m.name} ${args[0]} failed: ${errorTail(result)}` }),
    };
  };
  const all = async (): Promise<CommandResult> => {
    const result = await run(rpm(), ["-qa"]);
    if (result.exitcode !== 0)
      throw new Error(`rpm command failed, exit code was ${result.exitcode}: ${errorTail(result)}`);
    return result;
  };

  return {
    name: "yum",
    async status(pkg) {
      assertPackageName(pkg);
      const result = await run(rpm(), ["-q", "--qf", QUERY_FORMAT, "--", pkg]);
      // rpm says "package x is not installed" and exits 1: RPM keeps no configuration behind.
      return (
        (result.exitcode === 0 ? parseRpmQuery(result.stdout, pkg) : undefined) ?? {
          name: pkg,
          ensure: "absent",
          provider: "yum",
        }
      );
    },
    install(pkg, version) {
      assertPackageName(pkg);
      if (version !== undefined) assertVersion(version);
      return change(["install", "--", version === undefined ? pkg : `${pkg}-${version}`]);
    },
    update(pkg) {
      assertPackageName(pkg);
      return change(["update", "--", pkg]);
    },
    uninstall(pkg) {
      assertPackageName(pkg);
      return change(["remove", "--", pkg]);
    },
    purge(pkg) {
      assertPackageName(pkg);
      return change(["remove", "--", pkg]);
    },
    async count() {
      const result = await all();
      return { exitcode: 0, output: String(result.stdout.split("\n").filter((l) => l !== "").length) };
    },
    async md5() {
      const result = await all();
      return { exitcode: 0, output: createHash("md5").update(result.stdout).digest("hex") };
    },
    async checkupdates(): Promise<CheckUpdates> {
      const m = manager();
      const result = await run(m.path, ["-q", "check-update"]);
      // 100 means "updates available"; anything else but 0 is a failure.
      if (result.exitcode !== 0 && result.exitcode !== 100) {
        throw new Error(
          `${m.name} check-update failed, exit code was ${result.exitcode}: ${errorTail(result)}`,
        );
      }
      return {
        package_manager: m.name,
        output: result.stdout,
        exitcode: result.exitcode,
        outdated_packages: parseCheckUpdate(result.stdout),
      };
    },
  };
}

/** `yum_clean`: `yum clean <mode>` (or dnf's), whichever provider handles packages. */
export async function yumClean(mode: string, options: YumOptions): Promise<ManagerRun> {
  if (!YUM_CLEAN_MODES.includes(mode)) {
    throw new Error(`Unsupported yum clean mode: ${mode} (one of ${YUM_CLEAN_MODES.join(", ")})`);
  }
  const m = manager();
  const result = await runCommand(m.path, ["clean", mode], { timeoutMs: options.timeoutMs });
  if (result.exitcode !== 0) {
    throw new Error(`Yum clean failed, exit code was ${result.exitcode}: ${errorTail(result)}`);
  }
  return { exitcode: result.exitcode, output: result.stdout };
}
