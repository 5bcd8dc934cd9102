/**
 * A real site for the console's tests: three mcollectived daemons (the
 * first hosts the embedded broker and receives registrations into the
 * registry), each with an action policy that denies bob `rpcutil ping`
 * and an audit log, and a console on the same client.cfg. Everything runs
 * on the ports given (this package's range) in a temp directory, and
 * stop() ends every process and removes the directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type PhobosApp, phobosCommand } from "@phobos/interop";

export const NODES = [
  {
    identity: "node1",
    facts: {
      role: "web",
      datacenter: "dc1",
      motd: '<script>alert(1)</script><img src=x onerror="alert(2)">',
    },
    classes: ["base", "role::web"],
  },
  {
    identity: "node2",
    facts: { role: "db", datacenter: "dc2", motd: "plain" },
    classes: ["base", "role::db"],
  },
  {
    identity: "node3",
    facts: { role: "web", datacenter: "dc2", motd: "plain" },
    classes: ["base", "role::web"],
  },
] as const;

const PSK = "console-test-psk";

export interface TestSite {
  dir: string;
  clientConfig: string;
  database: string;
  auditLog(identity: string): string;
  consoleUrl: string;
  console: ChildProcess;
  /** Runs `phobos-console` with args (and stdin) to the end. */
  cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

async function waitFor(
  what: string,
  check: () => boolean,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  // Generous: the machine is shared with other suites; this bounds a hang, not speed.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (check()) return;
    if (child.exitCode !== null)
      throw new Error(`${what}: the process exited with ${child.exitCode}: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within 60 s: ${log()}`);
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Runs phobos-console or mco in the form under test with `args` and `input` on stdin, to its end. */
export function runBin(
  app: PhobosApp,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const bin = phobosCommand(app, args);
    const child = spawn(bin.command, bin.args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdin.end(input ?? "");
    child.on("exit", (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
  });
}

export const run = (args: string[], input?: string) => runBin("phobos-console", args, input);

/** Starts the site: `brokerPort` and `consolePort` from the caller's range. */
export async function startTestSite(brokerPort: number, consolePort: number): Promise<TestSite> {
  const dir = mkdtempSync(join(tmpdir(), "console-server-site-"));
  const database = join(dir, "registry.db");
  const common = (identity: string) => [
    `identity = ${identity}`,
    "main_collective = mcollective",
    "collectives = mcollective",
    "connector = rabbitmq",
    "plugin.rabbitmq.vhost = /mcollective",
    "plugin.rabbitmq.pool.size = 1",
    "plugin.rabbitmq.pool.1.host = 127.0.0.1",
    `plugin.rabbitmq.pool.1.port = ${brokerPort}`,
    "plugin.rabbitmq.pool.1.user = mcollective",
    "plugin.rabbitmq.pool.1.password = console-test",
    "securityprovider = psk",
    `plugin.psk = ${PSK}`,
  ];
  const processes: ChildProcess[] = [];
  let consoleProcess: ChildProcess | undefined;
  const stop = async () => {
    const all = [...processes, ...(consoleProcess ? [consoleProcess] : [])];
    const exited = all.map((p) =>
      p.exitCode !== null || p.signalCode !== null ? undefined : once(p, "exit"),
    );
    for (const p of all) p.kill("SIGTERM");
    await Promise.all(exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const servers = NODES.map((node, i) => {
      const home = join(dir, node.identity);
      mkdirSync(join(home, "policies"), { recursive: true });
      writeFileSync(
        join(home, "facts.yaml"),
        `---\n${Object.entries(node.facts)
          .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
          .join("\n")}\n`,
      );
      writeFileSync(join(home, "classes.txt"), `${node.classes.join("\n")}\n`);
      // Bob may not ping; everyone may do everything else.
      writeFileSync(
        join(home, "policies", "rpcutil.policy"),
        "policy default allow\ndeny\tuser=bob\tping\t*\t*\n",
      );
      const lines = [
        ...common(node.identity),
        "factsource = yaml",
        `plugin.yaml = ${join(home, "facts.yaml")}`,
        `classesfile = ${join(home, "classes.txt")}`,
        `plugin.replay.file = ${join(home, "replay")}`,
        "logger_type = file",
        `logfile = ${join(home, "mcollectived.log")}`,
        "loglevel = info",
        "rpcauthorization = 1",
        "rpcauthprovider = action_policy",
        "plugin.actionpolicy.allow_unconfigured = 1",
        "rpcaudit = 1",
        "rpcauditprovider = logfile",
        `plugin.rpcaudit.logfile = ${join(home, "audit.log")}`,
        "registration = meta",
        "registerinterval = 30",
        ...(i === 0
          ? [
              "plugin.broker.enable = 1",
              `plugin.broker.port = ${brokerPort}`,
              "plugin.broker.users = mcollective:console-test",
              `plugin.registration.database = ${database}`,
            ]
          : []),
      ];
      const file = join(home, "server.cfg");
      writeFileSync(file, `${lines.join("\n")}\n`);
      return file;
    });
    for (const [i, config] of servers.entries()) {
      const mcollectived = phobosCommand("mcollectived", ["--config", config, "--no-daemonize"]);
      const daemon = spawn(mcollectived.command, mcollectived.args, { stdio: "ignore" });
      processes.push(daemon);
      const logFile = join(dirname(config), "mcollectived.log");
      // The first hosts the broker: the others connect once it listens.
      if (i === 0)
        await waitFor(
          "node1 ready",
          () => read(logFile).includes("ready as"),
          daemon,
          () => read(logFile),
        );
    }
    await Promise.all(
      servers.slice(1).map((config, i) => {
        const logFile = join(dirname(config), "mcollectived.log");
        return waitFor(
          `${NODES[i + 1]?.identity} ready`,
          () => read(logFile).includes("ready as"),
          processes[i + 1] as ChildProcess,
          () => read(logFile),
        );
      }),
    );
    const clientConfig = join(dir, "client.cfg");
    writeFileSync(
      clientConfig,
      `${[
        ...common("console"),
        "logger_type = console",
        "loglevel = warn",
        `plugin.registry.database = ${database}`,
        `plugin.console.port = ${consolePort}`,
        "plugin.console.users = users.json",
        "plugin.console.login_attempts = 3",
      ].join("\n")}\n`,
    );
    for (const login of ["alice", "bob"]) {
      const added = await run(["-c", clientConfig, "user", "add", login], `${login}-password\n`);
      if (added.code !== 0) throw new Error(`user add ${login}: ${added.stderr}`);
    }
    const phobosConsole = phobosCommand("phobos-console", ["-c", clientConfig]);
    const child = spawn(phobosConsole.command, phobosConsole.args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    consoleProcess = child;
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
    await waitFor(
      "the console listening",
      () => /listening on (\S+)/.test(out),
      child,
      () => out,
    );
    const consoleUrl = (/listening on (\S+)/.exec(out) as RegExpExecArray)[1] as string;
    return {
      dir,
      clientConfig,
      database,
      auditLog: (identity) => read(join(dir, identity, "audit.log")),
      consoleUrl,
      console: child,
      cli: (args, input) => run(["-c", clientConfig, ...args], input),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
