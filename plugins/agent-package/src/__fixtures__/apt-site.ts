/**
 * A package of the test's own, built with dpkg-deb, served from a flat apt
 * repository in a temp directory. The apt.conf given to apt-get (as
 * APT_CONFIG, through `plugin.package.apt.config_file`) points its sources,
 * lists and cache there, so apt sees only this repository and leaves the
 * machine's own lists alone; only dpkg's database learns of the package,
 * and `dispose` purges it again.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const PROVISION = "sh tooling/scripts/provision.sh";

export interface AptSite {
  /** `phobos-test-<random>`. */
  readonly name: string;
  readonly dir: string;
  /** For `plugin.package.apt.config_file`. */
  readonly configFile: string;
  /** Builds `<name>_<version>_all.deb` into the repository and re-indexes it. */
  publish(version: string): Promise<void>;
  /** Purges the package if dpkg knows it and removes the directory. */
  dispose(): Promise<void>;
}

async function need(tool: string): Promise<void> {
  try {
    await exec("sh", ["-c", `command -v ${tool}`]);
  } catch {
    throw new Error(`${tool} is missing: these tests need Debian's dpkg and apt (${PROVISION})`);
  }
}

/** The Packages index apt reads from a flat repository: each .deb's control fields plus where it is. */
async function index(repo: string): Promise<string> {
  const stanzas: string[] = [];
  for (const file of (await readdir(repo)).filter((f) => f.endsWith(".deb")).sort()) {
    const path = join(repo, file);
    const { stdout: control } = await exec("dpkg-deb", ["-f", path]);
    const bytes = await readFile(path);
    stanzas.push(
      `${control.trimEnd()}\nFilename: ./${file}\nSize: ${(await stat(path)).size}\n` +
        `MD5sum: ${createHash("md5").update(bytes).digest("hex")}\n` +
        `SHA256: ${createHash("sha256").update(bytes).digest("hex")}\n`,
    );
  }
  return stanzas.join("\n");
}

export async function createAptSite(): Promise<AptSite> {
  for (const tool of ["dpkg-deb", "dpkg-query", "apt-get"]) await need(tool);
  const name = `phobos-test-${randomBytes(4).toString("hex")}`;
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const repo = join(dir, "repo");
  await mkdir(repo);
  await mkdir(join(dir, "lists", "partial"), { recursive: true });
  await mkdir(join(dir, "cache", "archives", "partial"), { recursive: true });
  await mkdir(join(dir, "sources.list.d"));
  await writeFile(join(dir, "sources.list"), `deb [trusted=yes] file:${repo} ./\n`);
  const configFile = join(dir, "apt.conf");
  await writeFile(
    configFile,
    [
      `Dir::Etc::SourceList "${join(dir, "sources.list")}";`,
      `Dir::Etc::SourceParts "${join(dir, "sources.list.d")}";`,
      `Dir::State::Lists "${join(dir, "lists")}";`,
      `Dir::Cache "${join(dir, "cache")}";`,
      // The repository is in root's 0700 temp directory: apt's _apt user could not read it.
      `APT::Sandbox::User "root";`,
      `Acquire::Languages "none";`,
      "",
    ].join("\n"),
  );

  const publish = async (version: string) => {
    const tree = join(dir, `build-${version}`);
    await mkdir(join(tree, "DEBIAN"), { recursive: true });
    await mkdir(join(tree, "etc"), { recursive: true });
    await mkdir(join(tree, "usr", "share", name), { recursive: true });
    await writeFile(
      join(tree, "DEBIAN", "control"),
      `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Phobos tests <phobos@example.invalid>\n` +
        `Section: misc\nPriority: optional\nDescription: package built by @phobos/agent-package's tests\n`,
    );
    // A conffile, so that removing leaves configuration behind (absent) and purging does not (purged).
    await writeFile(join(tree, "DEBIAN", "conffiles"), `/etc/${name}.conf\n`);
    await writeFile(join(tree, "etc", `${name}.conf`), `version = ${version}\n`);
    await writeFile(join(tree, "usr", "share", name, "VERSION"), `${version}\n`);
    await exec("dpkg-deb", [
      "--root-owner-group",
      "-Zgzip",
      "-b",
      tree,
      join(repo, `${name}_${version}_all.deb`),
    ]);
    await writeFile(join(repo, "Packages"), await index(repo));
  };

  const dispose = async () => {
    const known = await exec("dpkg-query", ["-W", "--", name]).then(
      () => true,
      () => false,
    );
    if (known) {
      await exec("apt-get", ["-q", "-y", "-o", "DPkg::Lock::Timeout=120", "purge", "--", name], {
        env: { ...process.env, APT_CONFIG: configFile, DEBIAN_FRONTEND: "noninteractive" },
      });
    }
    await rm(dir, { recursive: true, force: true });
  };

  return { name, dir, configFile, publish, dispose };
}
