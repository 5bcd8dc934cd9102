/**
 * The Phobos .debs installed on this machine for the length of a test, under
 * a machine-wide lock: dpkg has one database, and the package install test
 * installs and purges the same packages, so whoever holds the lock owns them.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

export const DEBS_LOCK = "/tmp/phobos-debs.lock";
export const DEB_DIR = resolve(import.meta.dirname, "../../../tooling/ship/out/deb");
const PACKAGES = ["phobos-broker", "phobos-mco", "phobos-mcollectived", "phobos-runtime"];
const SERVICES = ["phobos-mcollectived", "phobos-broker"];

export interface SystemPackages {
  readonly debs: string[];
  /** Stops the services, purges the packages, removes `extraFiles`, gives the lock back. */
  release(extraFiles?: string[]): Promise<void>;
}

function holdLock(): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    // flock(1) holds the lock while `cat` waits on its stdin; closing stdin lets go.
    const holder = spawn("flock", ["-x", DEBS_LOCK, "sh", "-c", "echo locked; exec cat"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    holder.on("error", fail);
    holder.stdout.once("data", () => done(holder));
    holder.once("exit", (code) => fail(new Error(`flock ${DEBS_LOCK} exited with ${code}`)));
  });
}

function apt(args: string[]): void {
  execFileSync("apt-get", ["-y", "-q", "-o", "DPkg::Lock::Timeout=600", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

export async function installedDebs(): Promise<SystemPackages> {
  const debs = existsSync(DEB_DIR)
    ? readdirSync(DEB_DIR)
        .filter((f) => f.endsWith(".deb") && PACKAGES.some((p) => f.startsWith(`${p}_`)))
        .map((f) => join(DEB_DIR, f))
    : [];
  if (debs.length !== PACKAGES.length) {
    throw new Error(
      `expected the ${PACKAGES.join(", ")} .debs in ${DEB_DIR}, found ${debs.length}: run \`pnpm --filter @phobos/ship run package\` first`,
    );
  }
  const lock = await holdLock();
  try {
    apt(["install", "--no-install-recommends", ...debs]);
  } catch (err) {
    lock.stdin?.end();
    throw err;
  }
  return {
    debs,
    async release(extraFiles = []) {
      try {
        for (const service of SERVICES) {
          try {
            execFileSync("service", [service, "stop"], { stdio: "ignore" });
          } catch {
            // Not installed or not running: nothing to stop.
          }
        }
        apt(["purge", ...PACKAGES]);
        for (const file of extraFiles) rmSync(file, { force: true });
      } finally {
        lock.stdin?.end();
      }
    },
  };
}
