/**
 * The .deb of a plugin package, built with dpkg-deb as MCollective's
 * debpackage packager built one with debuild: the package directory under
 * the libdir mcollectived searches (`<pluginpath>/<npm name>/`), a control
 * file with its name, version, maintainer and dependencies, md5sums,
 * copyright and changelog under /usr/share/doc, and the operator's pre- and
 * post-install scripts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UsageError } from "@phobos/core";
import { listFiles } from "./package-staging.js";

export interface DebianPackageSpec {
  /** Debian package name. */
  name: string;
  /** npm package name: the directory under the libdir (`@scope/name` for a scoped one). */
  npmName: string;
  /** Upstream version, as npm has it. */
  version: string;
  revision: string;
  maintainer: string;
  /** Synopsis (one line) and the long description's lines. */
  synopsis: string;
  description: string[];
  homepage: string | undefined;
  depends: string[];
  pluginpath: string;
  license: string | undefined;
  /** The license text, when the package ships one. */
  licenseText: string | undefined;
  preinstall: string | undefined;
  postinstall: string | undefined;
}

/** Debian policy 5.6.1: lower case letters, digits, + - . ; at least two, starting alphanumeric. */
export const DEBIAN_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** `@acme/phobos-agent-x` -> `acme-phobos-agent-x`; `_` is not allowed in a Debian name. */
export function debianName(npmName: string): string {
  return npmName
    .replace(/^@/, "")
    .replace("/", "-")
    .toLowerCase()
    .replace(/[^a-z0-9+.-]/g, "-");
}

/** npm's pre-releases (`1.0.0-rc.1`) sort before the release in Debian only with `~`. */
export function debianVersion(version: string, revision: string): string {
  return `${version.replace(/-/, "~").replace(/\+/g, ".")}-${revision}`;
}

/** `Name <email>` from package.json's `author` (string or object), or undefined. */
export function maintainerFrom(author: unknown): string | undefined {
  if (typeof author === "string" && author.trim() !== "") {
    const m = /^([^<(]+?)\s*(?:<([^>]+)>)?\s*(?:\(.*\))?$/.exec(author.trim());
    if (m?.[2]) return `${m[1]} <${m[2]}>`;
    return undefined;
  }
  if (typeof author === "object" && author !== null) {
    const { name, email } = author as { name?: unknown; email?: unknown };
    if (typeof name === "string" && typeof email === "string") return `${name} <${email}>`;
  }
  return undefined;
}

/** Who builds it, as Debian's own tools take it: DEBFULLNAME/DEBEMAIL, else user@host. */
export function defaultMaintainer(env: NodeJS.ProcessEnv = process.env): string {
  const user = userInfo().username;
  const name = env.DEBFULLNAME ?? user;
  const email = env.DEBEMAIL ?? env.EMAIL ?? `${user}@${hostname()}`;
  return `${name} <${email}>`;
}

/** A control file's multi-line field: each line indented, blank lines as " .". */
const extended = (lines: string[]) => lines.map((l) => (l.trim() === "" ? " ." : ` ${l}`)).join("\n");

export function renderControl(
  spec: DebianPackageSpec,
  installedSizeKiB: number,
  architecture: string,
): string {
  const fields: [string, string | undefined][] = [
    ["Package", spec.name],
    ["Version", debianVersion(spec.version, spec.revision)],
    ["Architecture", architecture],
    ["Maintainer", spec.maintainer],
    ["Installed-Size", String(installedSizeKiB)],
    ["Depends", spec.depends.length > 0 ? spec.depends.join(", ") : undefined],
    ["Section", "admin"],
    ["Priority", "optional"],
    ["Homepage", spec.homepage],
    ["Description", `${spec.synopsis}\n${extended(spec.description)}`],
  ];
  return `${fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) {
    const why =
      (r.error as NodeJS.ErrnoException).code === "ENOENT"
        ? `${command} is not installed (apt-get install dpkg, or choose --format tarball)`
        : r.error.message;
    throw new UsageError(`cannot build the .deb: ${why}`);
  }
  if (r.status !== 0) throw new UsageError(`cannot build the .deb: ${command} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Builds `<name>_<version>-<revision>_<arch>.deb` in `outDir` from the
 * staged package directory; `work` is scratch space. Architecture is `all`
 * unless the package carries compiled Node addons (`.node` files).
 */
export function buildDeb(spec: DebianPackageSpec, staged: string, work: string, outDir: string): string {
  const root = join(work, "deb-root");
  const target = join(root, spec.pluginpath, spec.npmName);
  mkdirSync(target, { recursive: true });
  cpSync(staged, target, { recursive: true });
  const doc = join(root, "usr", "share", "doc", spec.name);
  mkdirSync(doc, { recursive: true });
  writeFileSync(
    join(doc, "copyright"),
    `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: ${spec.npmName}\n${
      spec.homepage ? `Source: ${spec.homepage}\n` : ""
    }\nFiles: *\nCopyright: ${spec.maintainer}\nLicense: ${spec.license ?? "unknown"}\n${
      spec.licenseText
        ? extended(spec.licenseText.trimEnd().split("\n"))
        : " The package.json names no license text."
    }\n`,
  );
  const date = new Date().toUTCString().replace("GMT", "+0000");
  writeFileSync(
    join(doc, "changelog.Debian.gz"),
    gzipSync(
      `${spec.name} (${debianVersion(spec.version, spec.revision)}) unstable; urgency=medium\n\n  * Packaged by mco plugin package from ${spec.npmName} ${spec.version}.\n\n -- ${spec.maintainer}  ${date}\n`,
      { level: 9 },
    ),
  );

  const files = listFiles(root);
  for (const dir of new Set(files.map((f) => f.split("/").slice(0, -1).join("/")))) {
    for (let d = dir; d !== ""; d = d.split("/").slice(0, -1).join("/")) chmodSync(join(root, d), 0o755);
  }
  let bytes = 0;
  const sums: string[] = [];
  for (const file of files) {
    const path = join(root, file);
    const st = statSync(path);
    // Policy 10.9: files 0644 unless executable (a bin script), then 0755.
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
    bytes += st.size;
    sums.push(`${createHash("md5").update(readFileSync(path)).digest("hex")}  ${file}`);
  }
  const architecture = files.some((f) => f.endsWith(".node"))
    ? run("dpkg", ["--print-architecture"]).trim()
    : "all";

  const control = join(root, "DEBIAN");
  mkdirSync(control, { mode: 0o755 });
  writeFileSync(
    join(control, "control"),
    renderControl(spec, Math.ceil(bytes / 1024) + files.length, architecture),
  );
  writeFileSync(join(control, "md5sums"), `${sums.join("\n")}\n`);
  for (const [script, from] of [
    ["preinst", spec.preinstall],
    ["postinst", spec.postinstall],
  ] as const) {
    if (from === undefined) continue;
    try {
      copyFileSync(from, join(control, script));
    } catch (err) {
      throw new UsageError(`cannot read the ${script} script ${from}: ${(err as Error).message}`);
    }
    chmodSync(join(control, script), 0o755);
  }

  const out = join(outDir, `${spec.name}_${debianVersion(spec.version, spec.revision)}_${architecture}.deb`);
  run("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", root, out]);
  return out;
}
