/**
 * `mco plugin package [DIR]`: MCollective's packager for Phobos plugin
 * packages. The formats: `debpackage` (a .deb that installs the package
 * into the libdir mcollectived searches), `tarball` (the same tree, to
 * unpack into a libdir), and `npm` (`npm pack`, to publish or to
 * `npm install -g` beside mco). Without `--format`, the .deb and the
 * tarball, as MCollective built "all available plugin packages".
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseManifest, UsageError } from "@phobos/core";
import {
  buildDeb,
  DEBIAN_NAME,
  type DebianPackageSpec,
  debianName,
  debianVersion,
  defaultMaintainer,
  maintainerFrom,
} from "./package-debian.js";
import { stagePlugin } from "./package-staging.js";
import { buildTarball } from "./package-tarball.js";
import { readPackageJson } from "./plugin-info.js";

/** The libdir the phobos-mcollectived and phobos-mco packages name in /etc/phobos (`libdir = /usr/share/phobos/plugins`); Ruby MCollective's own is /usr/share/mcollective/plugins. */
export const DEFAULT_PLUGINPATH = "/usr/share/phobos/plugins";

export const FORMATS = ["debpackage", "tarball", "npm"] as const;
export type PackageFormat = (typeof FORMATS)[number];

export interface PackageOptions {
  /** Default: debpackage and tarball. */
  format?: string | undefined;
  /** Debian package name (`-n/--name`); default the npm name made Debian-safe. */
  pluginname?: string | undefined;
  /** `--pluginversion`: overrides package.json's version. */
  version?: string | undefined;
  /** `--revision` (or the deprecated `--iteration`): the Debian revision, default 1. */
  revision?: string | undefined;
  /** `--vendor`: the maintainer when package.json's author has no e-mail. */
  vendor?: string | undefined;
  /** `--pluginpath`: the libdir the .deb installs into. */
  pluginpath?: string | undefined;
  /** `--mcname`/`--mcversion`: the package the plugin depends on, e.g. the Phobos daemon's. */
  mcname?: string | undefined;
  mcversion?: string | undefined;
  /** `--dependency`: more Debian dependencies, `name` or `name (>= 1.0)`. */
  dependency?: readonly string[] | undefined;
  preinstall?: string | undefined;
  postinstall?: string | undefined;
  sign?: boolean | undefined;
  keepArtifacts?: boolean | undefined;
}

function formatsOf(option: string | undefined): PackageFormat[] {
  if (option === undefined) return ["debpackage", "tarball"];
  const wanted = option.split(",").map((f) => f.trim().toLowerCase());
  for (const f of wanted) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(
        `invalid package format '${f}': choose ${FORMATS.join(", ")} (rpmpackage and modulepackage are Ruby MCollective's and not built by Phobos)`,
      );
    }
  }
  return [...new Set(wanted)] as PackageFormat[];
}

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** What the .deb says about the package: every field from package.json and the options, checked. */
export function debianSpec(dir: string, json: Record<string, unknown>, o: PackageOptions): DebianPackageSpec {
  const npmName = str(json.name);
  if (npmName === undefined)
    throw new UsageError(`${join(dir, "package.json")} has no "name": a plugin package needs one`);
  const version = o.version ?? str(json.version);
  if (version === undefined || !/^\d[0-9A-Za-z.+~-]*$/.test(version)) {
    throw new UsageError(
      `${join(dir, "package.json")}: version ${JSON.stringify(version ?? json.version)} is not a package version (like 1.0.0): set "version" or --pluginversion`,
    );
  }
  const revision = o.revision ?? "1";
  if (!/^[0-9A-Za-z.+~]+$/.test(revision)) {
    throw new UsageError(
      `invalid --revision '${revision}': letters, digits and . + ~ only (like 1, or 2ubuntu1)`,
    );
  }
  const name = o.pluginname ?? debianName(npmName);
  if (!DEBIAN_NAME.test(name)) {
    throw new UsageError(
      `invalid package name '${name}': Debian package names are lower case letters, digits, + - and ., at least two, starting with a letter or digit`,
    );
  }
  const pluginpath = o.pluginpath ?? DEFAULT_PLUGINPATH;
  if (!pluginpath.startsWith("/"))
    throw new UsageError(`--pluginpath '${pluginpath}' must be an absolute path`);
  const { manifest } = parseManifest(json.mcollective, {
    packageName: npmName,
    packageDir: dir,
    path: join(dir, "package.json"),
  });
  const plugins = (manifest?.plugins ?? []).map(
    (p) => `${p.type}/${p.name}${p.description ? `: ${p.description}` : ""}`,
  );
  const depends = [
    ...(o.mcname ? [o.mcversion ? `${o.mcname} (>= ${o.mcversion})` : o.mcname] : []),
    ...(o.dependency ?? []),
  ];
  const licenseFile = ["LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"].find((f) => {
    try {
      readFileSync(join(dir, f));
      return true;
    } catch {
      return false;
    }
  });
  return {
    name,
    npmName,
    version,
    revision,
    maintainer: maintainerFrom(json.author) ?? o.vendor ?? defaultMaintainer(),
    synopsis: `Phobos plugin: ${str(json.description) ?? npmName}`.slice(0, 80),
    description: [
      `The Phobos (MCollective) plugin package ${npmName},`,
      `installed into ${pluginpath}, a libdir of mcollectived and mco.`,
      "It provides:",
      ...plugins.map((p) => `  ${p}`),
    ],
    homepage: str(json.homepage),
    depends,
    pluginpath: pluginpath.replace(/\/+$/, ""),
    license: str(json.license),
    licenseText: licenseFile ? readFileSync(join(dir, licenseFile), "utf8") : undefined,
    preinstall: o.preinstall,
    postinstall: o.postinstall,
  };
}

/**
 * Builds the packages of the plugin package in `target` into `outDir`;
 * returns MCollective's progress lines. A directory that is not a plugin
 * package, a manifest with problems or a missing entry file is refused
 * before anything is built.
 */
export function packagePlugin(
  target: string,
  outDir: string,
  libdirs: readonly string[] = [],
  options: PackageOptions = {},
): string[] {
  const dir = resolve(target);
  const json = readPackageJson(dir, libdirs);
  const formats = formatsOf(options.format);
  if (options.sign) {
    throw new UsageError(
      "--sign is not supported: dpkg-deb builds unsigned packages; sign the repository that serves them (reprepro, aptly) or the .deb with debsigs",
    );
  }
  const { errors } = parseManifest(json.mcollective, {
    packageName: str(json.name),
    packageDir: dir,
    path: join(dir, "package.json"),
  });
  if (errors.length > 0) {
    throw new UsageError(`cannot package ${dir}: ${errors.map((e) => e.message).join("; ")}`);
  }
  const spec = debianSpec(dir, json, options);
  const lines = [`Building packages for ${spec.name} plugin.`];
  const work = mkdtempSync(join(tmpdir(), "phobos-packager-"));
  try {
    const staged = stagePlugin(dir, json, work);
    const missing = (manifestFiles(json) ?? []).filter((f) => !staged.files.includes(f));
    if (missing.length > 0) {
      throw new UsageError(
        `cannot package ${dir}: the manifest names ${missing.join(", ")}, which the package does not contain (build it first, or add it to "files" in package.json)`,
      );
    }
    for (const format of formats) {
      if (format === "debpackage") lines.push(`Created package ${buildDeb(spec, staged.dir, work, outDir)}`);
      if (format === "tarball") {
        const stem = `${spec.name}-${debianVersion(spec.version, spec.revision)}`;
        lines.push(`Created package ${buildTarball(spec.npmName, stem, staged.dir, work, outDir)}`);
      }
      if (format === "npm") {
        const tgz = readdirSync(work).find((f) => f.endsWith(".tgz")) as string;
        copyFileSync(join(work, tgz), join(outDir, tgz));
        lines.push(`Created package ${join(outDir, tgz)}`);
      }
    }
    lines.push(`Completed building all packages for ${spec.name} plugin.`);
  } finally {
    if (options.keepArtifacts) {
      lines.push("Keeping build artifacts.", `Build artifacts saved - ${work}`);
    } else {
      lines.push("Removing build artifacts.");
      rmSync(work, { recursive: true, force: true });
    }
  }
  return lines;
}

/** The entry and DDL files the manifest names, relative to the package (`./agent.js` -> `agent.js`). */
function manifestFiles(json: Record<string, unknown>): string[] | undefined {
  const plugins = (json.mcollective as { plugins?: { entry?: unknown; ddl?: unknown }[] } | undefined)
    ?.plugins;
  if (!Array.isArray(plugins)) return undefined;
  return plugins
    .flatMap((p) => [p.entry, p.ddl])
    .filter((f): f is string => typeof f === "string")
    .map((f) => f.replace(/^\.\//, ""));
}
