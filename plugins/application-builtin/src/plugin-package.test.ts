/**
 * `mco plugin package` on what `mco plugin generate` writes, unedited: the
 * real dpkg-deb builds the .deb, dpkg-deb -I/-c read it back, and tar lists
 * the tarball. (That mcollectived loads the installed agent is proved in
 * tooling/release-check, which runs the daemon.)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { debianName, debianVersion, maintainerFrom } from "./package-debian.js";
import { generatePlugin } from "./plugin-generate.js";
import { packagePlugin } from "./plugin-package.js";

let dir: string;
let out: string;

function sh(command: string, args: string[], cwd?: string): string {
  const r = spawnSync(command, args, { encoding: "utf8", cwd });
  expect(r.status, `${command} ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const fresh = (name: string) => {
  const d = join(out, name);
  mkdirSync(d);
  return d;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "phobos-plugin-package-"));
  out = join(dir, "out");
  mkdirSync(out);
  generatePlugin({ kind: "agent", name: "weather", members: ["forecast"], cwd: dir });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mco plugin package on a generated agent", () => {
  let lines: string[];
  let deb: string;
  let tarball: string;
  const target = () => fresh("default");

  beforeAll(() => {
    const into = target();
    lines = packagePlugin(join(dir, "weather"), into, [], {});
    deb = join(into, "phobos-agent-weather_0.1.0-1_all.deb");
    tarball = join(into, "phobos-agent-weather-0.1.0-1.tar.gz");
  });

  it("builds a .deb and a tarball, and says so as MCollective did", () => {
    expect(lines).toEqual([
      "Building packages for phobos-agent-weather plugin.",
      `Created package ${deb}`,
      `Created package ${tarball}`,
      "Completed building all packages for phobos-agent-weather plugin.",
      "Removing build artifacts.",
    ]);
  });

  it("writes a control file dpkg-deb reads: name, version-revision, all, maintainer, size, description", () => {
    const info = sh("dpkg-deb", ["-f", deb]);
    expect(info).toMatch(/^Package: phobos-agent-weather\n/);
    expect(info).toContain("Version: 0.1.0-1\n");
    expect(info).toContain("Architecture: all\n");
    expect(info).toMatch(/\nMaintainer: \S.* <\S+@\S+>\n/);
    expect(info).toMatch(/\nInstalled-Size: \d+\n/);
    expect(info).toContain("Description: Phobos plugin: The weather agent\n");
    expect(info).toContain("  agent/weather: The weather agent");
    expect(info).not.toContain("Depends:");
    expect(sh("dpkg-deb", ["-I", deb])).toMatch(/ md5sums +\n/);
  });

  it("installs the package under the libdir mcollectived searches, owned by root, with its docs", () => {
    const listing = sh("dpkg-deb", ["-c", deb]);
    const files = listing
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    const paths = files.map((f) => f[5]);
    const lib = "./usr/share/phobos/plugins/phobos-agent-weather/";
    expect(paths).toEqual(
      expect.arrayContaining([
        `${lib}package.json`,
        `${lib}agent.js`,
        `${lib}ddl.json`,
        `${lib}README.md`,
        "./usr/share/doc/phobos-agent-weather/copyright",
        "./usr/share/doc/phobos-agent-weather/changelog.Debian.gz",
      ]),
    );
    for (const f of files) {
      expect(f[1]).toBe("root/root");
      expect(f[0]).toBe((f[5] as string).endsWith("/") ? "drwxr-xr-x" : "-rw-r--r--");
    }
  });

  it("extracts with dpkg -x into a root where the files are what the plugin directory holds", () => {
    const root = join(dir, "root");
    sh("dpkg-deb", ["-x", deb, root]);
    const installed = join(root, "usr/share/phobos/plugins/phobos-agent-weather");
    expect(readdirSync(installed).sort()).toEqual(["README.md", "agent.js", "ddl.json", "package.json"]);
    expect(sh("cmp", [join(installed, "agent.js"), join(dir, "weather", "agent.js")])).toBe("");
  });

  it("makes a tarball that unpacks into a libdir as the package's directory", () => {
    expect(sh("tar", ["-tzf", tarball]).trim().split("\n").sort()).toEqual([
      "phobos-agent-weather/",
      "phobos-agent-weather/README.md",
      "phobos-agent-weather/agent.js",
      "phobos-agent-weather/ddl.json",
      "phobos-agent-weather/package.json",
    ]);
  });
});

describe("mco plugin package options", () => {
  it("name, revision, libdir, dependencies, vendor and install scripts go into the .deb", () => {
    const into = fresh("options");
    const script = join(dir, "postinst.sh");
    writeFileSync(script, "#!/bin/sh\nset -e\necho installed\n");
    packagePlugin(join(dir, "weather"), into, [], {
      format: "debpackage",
      pluginname: "site-weather",
      version: "2.0.0-rc.1",
      revision: "3",
      pluginpath: "/opt/phobos/plugins",
      mcname: "phobos-mcollectived",
      mcversion: "0.1.0",
      dependency: ["curl"],
      vendor: "Site Ops <ops@example.com>",
      postinstall: script,
    });
    expect(readdirSync(into)).toEqual(["site-weather_2.0.0~rc.1-3_all.deb"]);
    const deb = join(into, "site-weather_2.0.0~rc.1-3_all.deb");
    const info = sh("dpkg-deb", ["-f", deb]);
    expect(info).toContain("Package: site-weather\n");
    expect(info).toContain("Version: 2.0.0~rc.1-3\n");
    expect(info).toContain("Maintainer: Site Ops <ops@example.com>\n");
    expect(info).toContain("Depends: phobos-mcollectived (>= 0.1.0), curl\n");
    expect(sh("dpkg-deb", ["-I", deb])).toMatch(/ \* +postinst +#!\/bin\/sh\n/);
    expect(sh("dpkg-deb", ["-c", deb])).toContain("./opt/phobos/plugins/phobos-agent-weather/agent.js");
  });

  it("--format npm packs the npm tarball", () => {
    const into = fresh("npm");
    packagePlugin(join(dir, "weather"), into, [], { format: "npm" });
    expect(readdirSync(into)).toEqual(["phobos-agent-weather-0.1.0.tgz"]);
  });

  it("carries the package's runtime dependencies in its node_modules, but not the host's @phobos packages", () => {
    const helper = join(dir, "helper");
    mkdirSync(helper);
    writeFileSync(join(helper, "package.json"), JSON.stringify({ name: "weather-helper", version: "1.0.0" }));
    writeFileSync(join(helper, "index.js"), "module.exports = 42;\n");
    sh("npm", ["pack", helper, "--pack-destination", dir], dir);
    const plugin = join(dir, "deps");
    generatePlugin({ kind: "agent", name: "deps", members: ["go"], cwd: dir });
    const pkgPath = join(plugin, "package.json");
    const pkg = JSON.parse(sh("cat", [pkgPath]));
    pkg.dependencies = { "weather-helper": `file:${join(dir, "weather-helper-1.0.0.tgz")}` };
    writeFileSync(pkgPath, JSON.stringify(pkg));
    const into = fresh("deps");
    packagePlugin(plugin, into, [], { format: "tarball" });
    const listing = sh("tar", ["-tzf", join(into, "phobos-agent-deps-0.1.0-1.tar.gz")]);
    expect(listing).toContain("phobos-agent-deps/node_modules/weather-helper/index.js");
    expect(listing).not.toContain("@phobos");
  });
});

describe("mco plugin package refuses", () => {
  const refusal = (target: string, options = {}) => {
    try {
      packagePlugin(target, fresh(`refused-${Math.random().toString(36).slice(2)}`), [], options);
    } catch (err) {
      return (err as Error).message;
    }
    return "no error";
  };

  it("a directory that does not exist, or is no plugin package", () => {
    expect(refusal(join(dir, "nowhere"))).toMatch(
      /nowhere\/package.json: ENOENT: target directory is not a valid Phobos plugin package/,
    );
    const plain = join(dir, "plain");
    mkdirSync(plain);
    writeFileSync(join(plain, "package.json"), JSON.stringify({ name: "plain", version: "1.0.0" }));
    expect(refusal(plain)).toContain('has no "mcollective" manifest');
  });

  it("a manifest with problems, and entry files the package does not contain", () => {
    const broken = join(dir, "broken");
    mkdirSync(broken);
    writeFileSync(
      join(broken, "package.json"),
      JSON.stringify({
        name: "phobos-agent-broken",
        version: "1.0.0",
        mcollective: {
          api: 1,
          plugins: [{ type: "agent", name: "broken", entry: "./dist/agent.js", ddl: "./ddl.json" }],
        },
      }),
    );
    writeFileSync(join(broken, "ddl.json"), "{}");
    expect(refusal(broken)).toBe(
      `cannot package ${broken}: the manifest names dist/agent.js, which the package does not contain (build it first, or add it to "files" in package.json)`,
    );
    writeFileSync(
      join(broken, "package.json"),
      JSON.stringify({
        name: "phobos-agent-broken",
        version: "1.0.0",
        mcollective: { api: 1, plugins: [{ type: "agnet", name: "x" }] },
      }),
    );
    expect(refusal(broken)).toMatch(/^cannot package .*broken: .*agnet/);
  });

  it("bad options: format, package name, revision, plugin path, --sign", () => {
    const weather = join(dir, "weather");
    expect(refusal(weather, { format: "rpmpackage" })).toBe(
      "invalid package format 'rpmpackage': choose debpackage, tarball, npm (rpmpackage and modulepackage are Ruby MCollective's and not built by Phobos)",
    );
    expect(refusal(weather, { pluginname: "Bad_Name" })).toMatch(
      /^invalid package name 'Bad_Name': Debian package names/,
    );
    expect(refusal(weather, { revision: "1-2" })).toMatch(/^invalid --revision '1-2'/);
    expect(refusal(weather, { pluginpath: "relative/dir" })).toBe(
      "--pluginpath 'relative/dir' must be an absolute path",
    );
    expect(refusal(weather, { sign: true })).toMatch(/^--sign is not supported/);
  });
});

describe("Debian names and versions", () => {
  it("from npm's", () => {
    expect(debianName("@acme/phobos-agent-x_y")).toBe("acme-phobos-agent-x-y");
    expect(debianVersion("1.2.3", "1")).toBe("1.2.3-1");
    expect(debianVersion("1.0.0-beta.2+build.5", "2")).toBe("1.0.0~beta.2.build.5-2");
    expect(maintainerFrom("Jane Doe <jane@example.com> (https://x)")).toBe("Jane Doe <jane@example.com>");
    expect(maintainerFrom({ name: "Jane", email: "j@example.com" })).toBe("Jane <j@example.com>");
    expect(maintainerFrom("Jane Doe")).toBeUndefined();
  });
});
