/**
 * A package provider drives one family of package managers (dpkg/apt,
 * rpm/yum/dnf). The agent owns policy — which action, what to refuse, how a
 * failure reaches the client — and asks the provider only to look a package
 * up and to run its manager. Every command is an argument vector; names and
 * versions are checked by `assertPackageName`/`assertVersion` before they
 * get near one, so nothing can pass for an option either.
 *
 * `status` reports the package the way the DDL's outputs name it; `ensure`
 * is the full installed version, or `absent` (removed, configuration left)
 * or `purged` (nothing left, or never installed), as MCollective's puppet
 * provider reported them.
 */
import { InvalidRpcDataError } from "@phobos/core";

export interface PackageStatus {
  name: string;
  ensure: string;
  provider: string;
  version?: string;
  release?: string;
  epoch?: string;
  arch?: string;
}

/** The outcome of a command that ran to its end, failed or not. */
export interface ManagerRun {
  exitcode: number;
  output: string;
  /** What to tell the client when it failed: the manager's own error lines. */
  error?: string;
}

export interface OutdatedPackage {
  package: string;
  version: string;
  repo: string;
}

export interface CheckUpdates {
  package_manager: string;
  output: string;
  exitcode: number;
  outdated_packages: OutdatedPackage[];
}

export interface PackageProvider {
  readonly name: string;
  status(pkg: string): Promise<PackageStatus>;
  install(pkg: string, version?: string): Promise<ManagerRun>;
  update(pkg: string): Promise<ManagerRun>;
  uninstall(pkg: string): Promise<ManagerRun>;
  purge(pkg: string): Promise<ManagerRun>;
  /** Installed packages: how many, and an md5 of their list. */
  count(): Promise<ManagerRun>;
  md5(): Promise<ManagerRun>;
  checkupdates(): Promise<CheckUpdates>;
}

export const ABSENT = ["absent", "purged"] as const;

export function isAbsent(status: PackageStatus): boolean {
  return (ABSENT as readonly string[]).includes(status.ensure);
}

// Letters and digits first, so that no name can be read as an option; then what dpkg and rpm allow.
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_~:-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_~:-]*$/;

/** Refuses what no package manager calls a package name (the DDL only said it was shell-safe). */
export function assertPackageName(pkg: string): void {
  if (!PACKAGE_NAME.test(pkg)) {
    throw new InvalidRpcDataError(
      `'${pkg}' is not a valid package name: letters, digits and . + _ ~ : - only, starting with a letter or digit`,
    );
  }
}

export function assertVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new InvalidRpcDataError(
      `'${version}' is not a valid package version: letters, digits and . + _ ~ : - only, starting with a letter or digit`,
    );
  }
}
