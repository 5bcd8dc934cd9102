/**
 * The package agent on this machine's real dpkg and apt: core's agent and
 * data conformance suites, its DDL against the Ruby DDL a Ruby mco reads,
 * a package of the test's own through install, a second install, apt_update
 * and apt_checkupdates seeing a newer build, update, uninstall (absent) and
 * purge (purged); and inputs that try to smuggle a shell command or an
 * option in, refused before any command runs. Requests go through core's
 * runAgentRequest, so the daemon's own validation and error mapping apply.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { PluginSettings, readDdlFile } from "@phobos/core";
import {
  type AgentCaller,
  comparableDdl,
  describeAgentPlugin,
  describeDataPlugin,
  openAgentCaller,
  openPlugin,
} from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AptSite, createAptSite } from "./__fixtures__/apt-site.js";
import packageAgent from "./agent.js";
import { parsePackageArguments } from "./application.js";
import packageData from "./data/package.js";
import dataDdl from "./data/package-ddl.js";
import ddl from "./ddl.js";
import {
  parseAptSimulation,
  parseCheckUpdate,
  parseRpmQuery,
  selectPackageProvider,
  splitDebianVersion,
} from "./providers/index.js";

describeAgentPlugin({
  definition: packageAgent,
  ddl,
  samples: {
    status: [
      { data: { package: "dpkg" }, statuscode: 0 },
      { data: { package: "phobos-test-never-built" }, statuscode: 0 },
    ],
    count: { data: {}, statuscode: 0 },
    md5: { data: {}, statuscode: 0 },
    // Not an RPM system: a clean failure naming what is missing.
    yum_clean: { data: { mode: "all" }, statuscode: 5 },
    yum_checkupdates: { data: {}, statuscode: 5 },
    uninstall: { data: { package: "phobos-test-never-built" }, statuscode: 5 },
    update: { data: { package: "phobos-test-never-built" }, statuscode: 5 },
  },
});
describeDataPlugin({ definition: packageData, ddl: dataDdl, query: "dpkg" });

describe("the DDL", () => {
  it("declares what the Ruby DDL fixture (mcollective-package-agent 4.7.0's interface) declares", async () => {
    const ruby = await readDdlFile(
      fileURLToPath(new URL("./__fixtures__/package.ddl", import.meta.url)),
      "agent",
    );
    expect(comparableDdl(ddl)).toEqual(comparableDdl(ruby));
  });
});

describe("a package of the test's own, through its life on the real dpkg", () => {
  let site: AptSite;
  let agent: AgentCaller;

  beforeAll(async () => {
    site = await createAptSite();
    await site.publish("1.0-1");
    agent = await openAgentCaller({
      definition: packageAgent,
      ddl,
      settings: { "apt.config_file": site.configFile },
    });
  });
  afterAll(async () => {
    agent?.close();
    await site?.dispose();
  });

  const dpkgState = (name: string) => {
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format
      return execFileSync("dpkg-query", ["-W", "-f", "${Status} ${Version}", "--", name], {
        stdio: ["ignore", "pipe", "ignore"],
        encoding: "utf8",
      });
    } catch {
      return "unknown to dpkg";
    }
  };

  it("is purged before anything happens", async () => {
    const answer = await agent.call("status", { package: site.name });
    expect(answer).toMatchObject({
      statuscode: 0,
      data: { name: site.name, ensure: "purged", provider: "apt" },
    });
  });

  it("apt_update reads the repository; install installs it and reports its version", async () => {
    expect(await agent.call("apt_update")).toMatchObject({ statuscode: 0, data: { exitcode: 0 } });
    const answer = await agent.call("install", { package: site.name });
    expect(answer.statusmsg).toBe("OK");
    expect(answer.data).toMatchObject({
      name: site.name,
      ensure: "1.0-1",
      version: "1.0",
      release: "1",
      epoch: "0",
      arch: "all",
      provider: "apt",
    });
    expect(answer.data.output).toContain(`Setting up ${site.name} (1.0-1)`);
    expect(dpkgState(site.name)).toBe("install ok installed 1.0-1");
  });

  it("a second install is refused, the installed version still reported", async () => {
    expect(await agent.call("install", { package: site.name })).toMatchObject({
      statuscode: 5,
      statusmsg: "Package is already installed",
      data: { ensure: "1.0-1" },
    });
  });

  it("apt_checkupdates and checkupdates see a newer build once apt_update has read it", async () => {
    await site.publish("2.0-1");
    expect(await agent.call("apt_update")).toMatchObject({ statuscode: 0 });
    const check = await agent.call("apt_checkupdates");
    expect(check.statuscode).toBe(0);
    expect(check.data.outdated_packages).toContainEqual({
      package: site.name,
      version: "2.0-1",
      repo: expect.any(String),
    });
    const generic = await agent.call("checkupdates");
    expect(generic.data).toMatchObject({ package_manager: "apt", exitcode: 0 });
  });

  it("update brings the newer build, status reports it", async () => {
    expect(await agent.call("update", { package: site.name })).toMatchObject({
      statuscode: 0,
      data: { ensure: "2.0-1", version: "2.0" },
    });
    expect(await agent.call("status", { package: site.name })).toMatchObject({
      statuscode: 0,
      data: { ensure: "2.0-1", arch: "all" },
    });
    expect(dpkgState(site.name)).toBe("install ok installed 2.0-1");
  });

  it("uninstall removes it and leaves its configuration (absent); update then refuses", async () => {
    expect(await agent.call("uninstall", { package: site.name })).toMatchObject({
      statuscode: 0,
      data: { ensure: "absent" },
    });
    expect(dpkgState(site.name)).toMatch(/^deinstall ok config-files/);
    expect(existsSync(`/etc/${site.name}.conf`)).toBe(true);
    expect(await agent.call("update", { package: site.name })).toMatchObject({
      statuscode: 5,
      statusmsg: "Package is not present on the system",
      data: { ensure: "absent" },
    });
  });

  it("purge removes the configuration too (purged); a second purge refuses", async () => {
    expect(await agent.call("purge", { package: site.name })).toMatchObject({
      statuscode: 0,
      data: { ensure: "purged" },
    });
    expect(dpkgState(site.name)).toBe("unknown to dpkg");
    expect(existsSync(`/etc/${site.name}.conf`)).toBe(false);
    expect(await agent.call("purge", { package: site.name })).toMatchObject({
      statuscode: 5,
      statusmsg: "Package is not present on the system",
    });
  });

  it("install with a version installs that version", async () => {
    expect(await agent.call("install", { package: site.name, version: "1.0-1" })).toMatchObject({
      statuscode: 0,
      data: { ensure: "1.0-1" },
    });
    expect(await agent.call("purge", { package: site.name })).toMatchObject({ statuscode: 0 });
  });

  it("a package apt cannot find fails with apt-get's own error, the state still reported", async () => {
    const answer = await agent.call("install", { package: `${site.name}-missing` });
    expect(answer).toMatchObject({ statuscode: 5, data: { ensure: "purged" } });
    expect(answer.statusmsg).toMatch(/^apt-get install failed: .*Unable to locate package/s);
  });

  it("count and md5 describe dpkg's installed packages", async () => {
    const listed = execFileSync("dpkg", ["--list"], {
      encoding: "utf8",
      env: { ...process.env, COLUMNS: "" },
    })
      .split("\n")
      .filter((l) => l.startsWith("ii")).length;
    expect(await agent.call("count")).toMatchObject({
      statuscode: 0,
      data: { output: String(listed), exitcode: 0 },
    });
    expect((await agent.call("md5")).data.output).toMatch(/^[0-9a-f]{32}$/);
  });

  it("the package data plugin reports installed or not", async () => {
    const data = await openPlugin(
      { definition: packageData, settings: { "apt.config_file": site.configFile } },
      "server",
    );
    try {
      expect(await data.instance.query("dpkg")).toMatchObject({
        installed: true,
        status: expect.any(String),
      });
      expect(await data.instance.query(site.name)).toEqual({ installed: false, status: "purged" });
    } finally {
      data.close();
    }
  });
});

describe("inputs that try to run something else", () => {
  let agent: AgentCaller;
  const marker = `/tmp/phobos-package-injection-${process.pid}`;
  beforeAll(async () => {
    agent = await openAgentCaller({ definition: packageAgent, ddl });
  });
  afterAll(async () => {
    agent?.close();
    await rm(marker, { force: true });
  });

  it.each([
    [`foo;touch ${marker}`, "Cannot validate input package: value should not have ; in it"],
    [`$(touch ${marker})`, "Cannot validate input package: value should not have $ in it"],
    [`\`touch ${marker}\``, "Cannot validate input package: value should not have ` in it"],
    [`foo | touch ${marker}`, "Cannot validate input package: value should not have | in it"],
    [`foo && touch ${marker}`, "Cannot validate input package: value should not have && in it"],
  ])("package=%s is refused by the DDL and runs nothing", async (pkg, message) => {
    for (const action of ["install", "status", "purge"]) {
      expect(await agent.call(action, { package: pkg })).toMatchObject({ statuscode: 4, statusmsg: message });
    }
    expect(existsSync(marker)).toBe(false);
  });

  it("a version with a shell command in it is refused too", async () => {
    expect(await agent.call("install", { package: "dpkg", version: `1;touch ${marker}` })).toMatchObject({
      statuscode: 4,
      statusmsg: "Cannot validate input version: value should not have ; in it",
    });
    expect(existsSync(marker)).toBe(false);
  });

  it("shell-safe words that a package manager would take as options are refused before any command", async () => {
    for (const pkg of ["--reinstall", "-oDebug::pkgProblemResolver=1", "foo bar", "../etc/passwd"]) {
      const answer = await agent.call("install", { package: pkg });
      expect(answer.statuscode, pkg).toBe(4);
      expect(answer.statusmsg).toContain("is not a valid package name");
    }
    const version = await agent.call("install", { package: "dpkg", version: "--force" });
    expect(version).toMatchObject({ statuscode: 4 });
    expect(version.statusmsg).toContain("is not a valid package version");
  });
});

describe("providers", () => {
  const settings = (values: Record<string, string>) =>
    new PluginSettings("package", new Map(Object.entries(values)));

  it("the host's package manager is chosen when none is configured, or puppet (MCollective's default) is", () => {
    expect(selectPackageProvider(settings({}), 1000).name).toBe("apt");
    expect(selectPackageProvider(settings({ provider: "puppet" }), 1000).name).toBe("apt");
    expect(selectPackageProvider(settings({ provider: "yum" }), 1000).name).toBe("yum");
  });

  it("an unknown provider is an error naming the setting", () => {
    expect(() => selectPackageProvider(settings({ provider: "pkgng" }), 1000)).toThrow(
      "plugin.package.provider = pkgng is not a package provider Phobos has: use apt, yum, or leave it unset to use the host's",
    );
  });

  it("read dpkg versions, apt's simulation, rpm queries and yum's check-update", () => {
    expect(splitDebianVersion("1:2.30-1+deb12u1")).toEqual({
      epoch: "1",
      version: "2.30",
      release: "1+deb12u1",
    });
    expect(splitDebianVersion("2.0")).toEqual({ epoch: "0", version: "2.0" });
    expect(
      parseAptSimulation(
        "Reading package lists...\nInst bash [5.2.15-2+b2] (5.2.15-2+b7 Debian:12.9/stable [amd64])\nConf bash (5.2.15-2+b7 Debian:12.9/stable [amd64])\nInst newpkg (1.0 Debian:12.9/stable [all])\n",
      ),
    ).toEqual([{ package: "bash", version: "5.2.15-2+b7", repo: "Debian:12.9/stable [amd64]" }]);
    expect(parseRpmQuery("bash\t0\t5.1.8\t9.el9\tx86_64\n", "bash")).toEqual({
      name: "bash",
      epoch: "0",
      version: "5.1.8",
      release: "9.el9",
      arch: "x86_64",
      ensure: "5.1.8-9.el9",
      provider: "yum",
    });
    expect(parseRpmQuery("openssl\t1\t3.0.7\t27.el9\tx86_64\n", "openssl")?.ensure).toBe("1:3.0.7-27.el9");
    expect(
      parseCheckUpdate(
        "\nbash.x86_64   5.1.8-10.el9   baseos\nObsoleting Packages\ngrub2.noarch 1:2.06 baseos\n",
      ),
    ).toEqual([{ package: "bash.x86_64", version: "5.1.8-10.el9", repo: "baseos" }]);
  });
});

describe("mco package's arguments", () => {
  it("take the action first or second; count and md5 stand alone", () => {
    expect(parsePackageArguments(["status", "nano"])).toEqual({ action: "status", package: "nano" });
    expect(parsePackageArguments(["nano", "install"])).toEqual({ action: "install", package: "nano" });
    expect(parsePackageArguments(["count"])).toEqual({ action: "count" });
    expect(() => parsePackageArguments(["nano"])).toThrow("Please specify package name and action");
    expect(() => parsePackageArguments(["nano", "frob"])).toThrow(
      "Action has to be one of install, uninstall, purge, update, status, count, md5, yum_clean, yum_checkupdates, apt_update, checkupdates, apt_checkupdates",
    );
  });
});
