/**
 * Builds the executables and the .debs as `pnpm run package` does, checks
 * them with lintian, installs them on this machine (which has Debian's Ruby
 * mcollective installed, used by the interop tests running beside this
 * one), runs the daemon through its LSB init script against the packaged
 * broker on this test's own port, and checks upgrade, remove and purge
 * against Debian policy. The .debs are purged afterwards, also on failure.
 *
 * Needs root (dpkg) and Debian's packaging tools; CI runs as root.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDebs, DEB_PACKAGES } from "./build-debs.js";
import { type BuiltTree, buildExecutables } from "./build-executables.js";
import { NODE_RUNTIME } from "./node-runtime.js";
import {
  appendLines,
  dpkg,
  freePort,
  hasCommand,
  holdDebsLock,
  isRoot,
  mustRun,
  packageStatus,
  RUBY_PACKAGES,
  rubyState,
  run,
} from "./system.js";

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(PACKAGE_DIR, "../..");
/** This test's port range is 44600-44699 (the broker the daemon and mco meet on): the first free one from 44610. */
let brokerPort = 44610;
/** The console listens in 45700-45899: the first free one from 45710. */
let consolePort = 45710;
const IDENTITY = "phobos-ship-ci-node";
const SECRET = "ship-ci-secret";

// Missing prerequisites fail the run, naming what is missing: a skipped package test proves nothing in CI.
const missing = [
  ...(isRoot() ? [] : ["root (dpkg installs the packages)"]),
  ...["dpkg-buildpackage", "dh", "lintian", "systemd-analyze"].filter((tool) => !hasCommand(tool)),
];

/** Stops a service through its LSB script: its status then says so and its pidfile is gone. */
function stopThroughInitScript(service: string): void {
  mustRun(`/etc/init.d/${service}`, ["stop"]);
  expect(run(`/etc/init.d/${service}`, ["status"]).status).not.toBe(0);
  expect(existsSync(`/run/${service}.pid`)).toBe(false);
}

/** Every path is gone (after a purge). */
function expectGone(paths: readonly string[]): void {
  for (const path of paths) expect(existsSync(path), path).toBe(false);
}

describe("Debian packages (needs root and debhelper, lintian, systemd: tooling/scripts/provision.sh)", () => {
  const work = mkdtempSync(join(tmpdir(), "ship-ci-"));
  // Where `pnpm run package` writes: the Puppet module's test (run after this one)
  // installs these .debs.
  const out = join(PACKAGE_DIR, "out");
  const home = join(work, "home");
  let tree: BuiltTree;
  let debs: string[] = [];
  let rubyBefore = "";
  let releaseLock = () => {};
  const brokerUserExisted = run("getent", ["passwd", "phobos-broker"]).status === 0;
  const consoleUserExisted = run("getent", ["passwd", "phobos-console"]).status === 0;

  const purgeAll = async () => {
    for (const script of ["phobos-console", "phobos-mcollectived", "phobos-broker"]) {
      if (existsSync(`/etc/init.d/${script}`)) run(`/etc/init.d/${script}`, ["stop"]);
    }
    const installed = DEB_PACKAGES.filter((p) => packageStatus(p) !== undefined);
    if (installed.length > 0) await dpkg(["--purge", ...installed]);
  };

  beforeAll(async () => {
    if (missing.length > 0) {
      throw new Error(
        `cannot build and install the .debs without: ${missing.join(", ")} (tooling/scripts/provision.sh installs the tools)`,
      );
    }
    releaseLock = await holdDebsLock();
    await purgeAll();
    brokerPort = await freePort(44610, 44699);
    consolePort = await freePort(45710, 45899);
    rubyBefore = rubyState();
  }, 3_600_000);

  afterAll(async () => {
    try {
      await purgeAll();
      rmSync("/etc/phobos/facts.yaml", { force: true });
      run("rmdir", ["--ignore-fail-on-non-empty", "/etc/phobos"]);
      if (!brokerUserExisted) run("deluser", ["--system", "--quiet", "phobos-broker"]);
      if (!consoleUserExisted) run("deluser", ["--system", "--quiet", "phobos-console"]);
    } finally {
      rmSync(work, { recursive: true, force: true });
      releaseLock();
    }
  });

  it("builds the executables on the pinned Node runtime and runs them", () => {
    // The .deb compression is the only difference from a release build: gzip is several times faster than xz here.
    tree = buildExecutables(REPO_ROOT, out, join(PACKAGE_DIR, "out", "cache"));
    expect(mustRun(join(tree.root, "runtime", "node"), ["--version"]).trim()).toBe(
      `v${NODE_RUNTIME.version}`,
    );
    const help = mustRun(join(tree.root, "bin", "mco"), ["help"], {
      ...process.env,
      HOME: work,
      MCOLLECTIVE_EXTRA_OPTS: "",
    });
    expect(help).toMatch(/^\s+rpc\s/m);
    expect(help).toMatch(/^\s+ping\s/m);
    expect(mustRun(join(tree.root, "bin", "mcollectived"), ["--help"])).toContain("Usage: mcollectived");
    expect(mustRun(join(tree.root, "bin", "phobos-broker"), ["--help"])).toContain("Usage: phobos-broker");
    expect(mustRun(join(tree.root, "bin", "phobos-console"), ["--help"])).toContain("Usage: phobos-console");
    // better-sqlite3 is rebuilt for the runtime's ABI and still loads (only when a registry is opened).
    expect(tree.nativeAddons).toContain("better-sqlite3@12.11.1");
    const probe = "require(process.argv[1]); console.log('loaded')";
    const addon = join(tree.root, "app", "mco", "node_modules", "better-sqlite3");
    expect(mustRun(join(tree.root, "runtime", "node"), ["-e", probe, addon]).trim()).toBe("loaded");
  }, 3_600_000);

  it("builds lintian-clean .debs with conffiles for everything under /etc", () => {
    process.env.PHOBOS_DEB_COMPRESS = "gzip";
    debs = buildDebs({ packageDir: PACKAGE_DIR, repoRoot: REPO_ROOT, out, tree, lintian: true });
    expect(debs.map((d) => d.replace(/.*\//, "").replace(/_.*/, "")).sort()).toEqual(
      [...DEB_PACKAGES].sort(),
    );
    const conffiles = (name: string) =>
      mustRun("dpkg-deb", ["-I", debs.find((d) => d.includes(`/${name}_`)) as string, "conffiles"])
        .trim()
        .split("\n")
        .sort();
    expect(conffiles("phobos-mcollectived")).toEqual([
      "/etc/default/phobos-mcollectived",
      "/etc/init.d/phobos-mcollectived",
      "/etc/logrotate.d/phobos-mcollectived",
      "/etc/phobos/server.cfg",
    ]);
    expect(conffiles("phobos-mco")).toEqual(["/etc/phobos/client.cfg"]);
    expect(conffiles("phobos-broker")).toEqual([
      "/etc/default/phobos-broker",
      "/etc/init.d/phobos-broker",
      "/etc/logrotate.d/phobos-broker",
      "/etc/phobos/broker.cfg",
    ]);
    expect(conffiles("phobos-console")).toEqual([
      "/etc/default/phobos-console",
      "/etc/init.d/phobos-console",
      "/etc/logrotate.d/phobos-console",
      "/etc/phobos/console.cfg",
    ]);
  }, 3_600_000);

  it("installs beside Ruby's mcollective without touching it", async () => {
    await dpkg(["--install", ...debs]);
    for (const name of DEB_PACKAGES) expect(packageStatus(name)).toMatch(/^install ok installed/);
    expect(rubyState()).toBe(rubyBefore);
    for (const name of RUBY_PACKAGES) {
      if (packageStatus(name)?.startsWith("install ok installed")) {
        // Not one path is shared, so no package owns a file of the other side.
        const rubyFiles = new Set(
          mustRun("dpkg", ["-L", name])
            .split("\n")
            .filter((p) => /\.\w+$|bin\//.test(p)),
        );
        for (const ours of DEB_PACKAGES) {
          for (const path of mustRun("dpkg", ["-L", ours]).split("\n"))
            expect(rubyFiles.has(path)).toBe(false);
        }
      }
    }
    expect(existsSync("/usr/share/bash-completion/completions/mco")).toBe(true);
    expect(readFileSync("/usr/share/bash-completion/completions/mco", "utf8")).toContain(
      "_mco_bin=/usr/lib/phobos/bin/mco",
    );
    for (const page of [
      "man1/phobos-mco.1.gz",
      "man8/phobos-mcollectived.8.gz",
      "man8/phobos-broker.8.gz",
      "man8/phobos-console.8.gz",
      "man1/phobos-keygen.1.gz",
      "man8/phobos-rabbitmq-setup.8.gz",
      "man8/check_mcollective_registry.8.gz",
    ]) {
      expect(existsSync(`/usr/share/man/${page}`), page).toBe(true);
    }
  });

  it("has systemd units that systemd-analyze verify accepts", () => {
    const units = [
      "/lib/systemd/system/phobos-mcollectived.service",
      "/lib/systemd/system/phobos-broker.service",
      "/lib/systemd/system/phobos-console.service",
    ];
    const result = run("systemd-analyze", ["verify", ...units]);
    // It loads the machine's other units too (Ruby's mcollective.service has warnings of its own).
    const ours = `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.includes("phobos"));
    expect(ours).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("starts the broker and the daemon through their init scripts, and phobos-mco ping sees the daemon", async () => {
    appendLines("/etc/phobos/broker.cfg", [
      "bind = 127.0.0.1",
      `port = ${brokerPort}`,
      `user = mcollective:${SECRET}`,
    ]);
    writeFileSync("/etc/phobos/facts.yaml", "---\nship_test: yes\n");
    const connector = [
      "connector = rabbitmq",
      "plugin.rabbitmq.pool.size = 1",
      "plugin.rabbitmq.pool.1.host = 127.0.0.1",
      `plugin.rabbitmq.pool.1.port = ${brokerPort}`,
      "plugin.rabbitmq.pool.1.user = mcollective",
      `plugin.rabbitmq.pool.1.password = ${SECRET}`,
      `plugin.psk = ${SECRET}`,
    ];
    appendLines("/etc/phobos/server.cfg", [`identity = ${IDENTITY}`, ...connector]);
    appendLines("/etc/phobos/client.cfg", connector);

    mustRun("/etc/init.d/phobos-broker", ["start"]);
    mustRun("/etc/init.d/phobos-mcollectived", ["start"]);
    expect(run("/etc/init.d/phobos-mcollectived", ["status"]).status).toBe(0);
    const pid = readFileSync("/run/phobos-mcollectived.pid", "utf8").trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("/usr/lib/phobos/runtime/node");

    // HOME without ~/.mcollective: phobos-mco reads /etc/phobos/client.cfg.
    const env = { ...process.env, HOME: home, MCOLLECTIVE_EXTRA_OPTS: "" };
    let last = "";
    const tail = (file: string) =>
      existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : `${file}: absent`;
    try {
      await eventually(
        () => {
          const ping = run("/usr/bin/phobos-mco", ["ping"], env);
          last = `${ping.stdout}${ping.stderr}`;
          return ping.stdout.includes(IDENTITY) ? ping.stdout : undefined;
        },
        "phobos-mco ping to see the daemon",
        300_000,
        500,
      );
    } catch (err) {
      const logs = [
        "/var/log/phobos/mcollectived.log",
        "/var/log/phobos/mcollectived.out",
        "/var/log/phobos/broker.log",
      ];
      throw new Error(`${(err as Error).message}\nlast ping:\n${last}\n${logs.map(tail).join("\n")}`, {
        cause: err,
      });
    }
    const inventory = mustRun(
      "/usr/bin/phobos-mco",
      ["rpc", "rpcutil", "agent_inventory", "-I", IDENTITY, "-j"],
      env,
    );
    // The first-party agents, found in the package's tree (shell is there too, off unless activated).
    for (const agent of ["rpcutil", "package", "service", "puppet", "filemgr", "nettest"]) {
      expect(inventory).toContain(`"${agent}"`);
    }
    expect(readFileSync("/var/log/phobos/mcollectived.log", "utf8")).not.toBe("");
  }, 600_000);

  it("starts the console through its init script: its login page, a 401 without a session, a user's sign-in", async () => {
    appendLines("/etc/phobos/console.cfg", [
      `plugin.console.port = ${consolePort}`,
      "connector = rabbitmq",
      "plugin.rabbitmq.pool.size = 1",
      "plugin.rabbitmq.pool.1.host = 127.0.0.1",
      `plugin.rabbitmq.pool.1.port = ${brokerPort}`,
      "plugin.rabbitmq.pool.1.user = mcollective",
      `plugin.rabbitmq.pool.1.password = ${SECRET}`,
      `plugin.psk = ${SECRET}`,
    ]);
    // Root adds the user; the launcher writes the file as the service's user, who must read it.
    const added = spawnSync("/usr/sbin/phobos-console", ["user", "add", "alice"], {
      input: "alice-password\n",
      encoding: "utf8",
      env: { ...process.env, HOME: home, MCOLLECTIVE_EXTRA_OPTS: "" },
    });
    expect(added.status, `${added.stdout}${added.stderr}`).toBe(0);
    const users = statSync("/var/lib/phobos-console/users.json");
    expect(users.uid).toBe(Number(mustRun("id", ["-u", "phobos-console"]).trim()));
    expect(users.mode & 0o777).toBe(0o600);

    mustRun("/etc/init.d/phobos-console", ["start"]);
    expect(run("/etc/init.d/phobos-console", ["status"]).status).toBe(0);
    const pid = readFileSync("/run/phobos-console.pid", "utf8").trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("/usr/lib/phobos/runtime/node");
    expect(statSync(`/proc/${pid}`).uid).toBe(users.uid);

    const base = `http://127.0.0.1:${consolePort}`;
    const log = () =>
      existsSync("/var/log/phobos/console.log") ? readFileSync("/var/log/phobos/console.log", "utf8") : "";
    const page = await eventually(
      async () => {
        const answer = await fetch(`${base}/`).catch(() => undefined);
        return answer?.ok ? await answer.text() : undefined;
      },
      "the console's login page",
      120_000,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${log()}`, { cause: err });
    });
    expect(page).toContain("<title>Phobos console</title>");
    const refused = await fetch(`${base}/api/nodes`);
    expect(refused.status).toBe(401);
    const signIn = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "alice", password: "alice-password" }),
    });
    expect(signIn.status).toBe(200);
    expect(await signIn.json()).toMatchObject({ user: "alice" });
    expect(log()).toContain(`listening on ${base}`);

    stopThroughInitScript("phobos-console");

    // Remove keeps the operator's config and the users; purge takes both, and the log.
    const edited = readFileSync("/etc/phobos/console.cfg", "utf8");
    await dpkg(["--remove", "phobos-console"]);
    expect(packageStatus("phobos-console")).toMatch(/^deinstall ok config-files/);
    expect(existsSync("/usr/sbin/phobos-console")).toBe(false);
    expect(readFileSync("/etc/phobos/console.cfg", "utf8")).toBe(edited);
    expect(existsSync("/var/lib/phobos-console/users.json")).toBe(true);
    await dpkg(["--purge", "phobos-console"]);
    expect(packageStatus("phobos-console")).toBeUndefined();
    expectGone([
      "/etc/phobos/console.cfg",
      "/etc/init.d/phobos-console",
      "/var/lib/phobos-console",
      "/var/log/phobos/console.log",
    ]);
    expect(rubyState()).toBe(rubyBefore);
  }, 600_000);

  it("keeps the operator's edit of a conffile when an upgrade changes it", async () => {
    const deb = debs.find((d) => d.includes("/phobos-mcollectived_")) as string;
    const raw = join(work, "upgrade");
    mustRun("dpkg-deb", ["--raw-extract", deb, raw]);
    const control = join(raw, "DEBIAN", "control");
    const version = /^Version: (.+)$/m.exec(readFileSync(control, "utf8"))?.[1] as string;
    writeFileSync(
      control,
      readFileSync(control, "utf8").replace(/^Version: .+$/m, `Version: ${version}+ship1`),
    );
    const shipped = join(raw, "etc", "phobos", "server.cfg");
    writeFileSync(
      shipped,
      `${readFileSync(shipped, "utf8")}#plugin.example.setting = a new default in the next release\n`,
    );
    const newer = join(work, "phobos-mcollectived-upgrade.deb");
    mustRun("dpkg-deb", ["--root-owner-group", "--build", raw, newer]);

    const edited = readFileSync("/etc/phobos/server.cfg", "utf8");
    await dpkg(["--force-confold", "--install", newer]);
    expect(packageStatus("phobos-mcollectived")).toBe(`install ok installed ${version}+ship1`);
    expect(readFileSync("/etc/phobos/server.cfg", "utf8")).toBe(edited);
    expect(readFileSync("/etc/phobos/server.cfg.dpkg-dist", "utf8")).toContain(
      "a new default in the next release",
    );
    expect(rubyState()).toBe(rubyBefore);
  });

  it("removes the daemon but keeps its config, then purges config and logs", async () => {
    stopThroughInitScript("phobos-mcollectived");

    const edited = readFileSync("/etc/phobos/server.cfg", "utf8");
    await dpkg(["--remove", "phobos-mcollectived"]);
    expect(packageStatus("phobos-mcollectived")).toMatch(/^deinstall ok config-files/);
    expect(existsSync("/usr/sbin/phobos-mcollectived")).toBe(false);
    expect(existsSync("/usr/lib/phobos/app/mcollectived")).toBe(false);
    expect(readFileSync("/etc/phobos/server.cfg", "utf8")).toBe(edited);
    expect(existsSync("/etc/init.d/phobos-mcollectived")).toBe(true);
    // The client, the broker and the runtime they share are still whole.
    expect(mustRun("/usr/bin/phobos-mco", ["help"], { ...process.env, HOME: home })).toMatch(/^\s+rpc\s/m);

    await dpkg(["--purge", "phobos-mcollectived"]);
    expect(packageStatus("phobos-mcollectived")).toBeUndefined();
    expectGone([
      "/etc/phobos/server.cfg",
      "/etc/phobos/server.cfg.dpkg-dist",
      "/etc/default/phobos-mcollectived",
      "/etc/init.d/phobos-mcollectived",
      "/var/log/phobos/mcollectived.log",
    ]);
    expect(existsSync("/etc/phobos/client.cfg")).toBe(true);
    expect(rubyState()).toBe(rubyBefore);

    mustRun("/etc/init.d/phobos-broker", ["stop"]);
    await dpkg(["--purge", "phobos-mco", "phobos-broker", "phobos-runtime"]);
    expect(existsSync("/usr/lib/phobos")).toBe(false);
    expect(rubyState()).toBe(rubyBefore);
  });
});
