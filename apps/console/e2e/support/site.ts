/**
 * A whole small site for the browser tests, on this helper's own ports:
 * the embedded broker (in this process), three real mcollectived daemons
 * that register their facts (registration = meta) into a SQLite registry
 * that node1 keeps, an action policy that denies one console user
 * `package status`, and a real phobos-console process with two users.
 * Everything is stopped by close(), and killed if the test process dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type RunningBroker, startBroker } from "@phobos/broker";
import {
  type BrokerSettings,
  PHOBOS_MCOLLECTIVED,
  writeClientConfig,
  writeServerConfig,
} from "@phobos/interop";

export const CONSOLE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/phobos-console");

export interface SiteNode {
  identity: string;
  facts: Record<string, string>;
  classes: string[];
}

/** What the test types into facts and classes, and an XSS probe in node3's facts. */
export const XSS_FACT = `<script>window.__xss = 1; alert("xss")</script><img src=x onerror="window.__xss = 2">`;

export const NODES: SiteNode[] = [
  {
    identity: "node1",
    facts: { role: "web", osfamily: "Debian", datacenter: "dc1" },
    classes: ["base", "role::web"],
  },
  {
    identity: "node2",
    facts: { role: "db", osfamily: "RedHat", datacenter: "dc2" },
    classes: ["base", "role::db"],
  },
  {
    identity: "node3",
    facts: { role: "web", osfamily: "Debian", datacenter: "dc2", motd: XSS_FACT },
    classes: ["base", "role::web"],
  },
];

/** The console's users: alice may do everything, bob is denied `package status` by every node's policy. */
export const USERS = {
  alice: randomBytes(9).toString("base64url"),
  bob: randomBytes(9).toString("base64url"),
} as const;

export interface SitePorts {
  broker: number;
  console: number;
}

export interface Site {
  dir: string;
  url: string;
  clientConfig: string;
  /** The console's stdout and stderr so far (for failure messages). */
  consoleOutput(): string;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function spawnTracked(args: string[], cwd?: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], cwd });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value; generous by default, for a loaded CI machine. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ""}`);
    await sleep(100);
  }
}

async function runConsoleCommand(args: string[], stdin: string): Promise<void> {
  const { child, output } = spawnTracked([CONSOLE_BIN, ...args]);
  child.stdin?.end(stdin);
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  if (code !== 0) throw new Error(`phobos-console ${args.join(" ")} exited ${code}:\n${output()}`);
}

export async function startSite(ports: SitePorts): Promise<Site> {
  const dir = await mkdtemp(join(tmpdir(), "console-ui-site-"));
  const brokerUser = { name: "mcollective", password: randomBytes(8).toString("hex") };
  const psk = randomBytes(12).toString("hex");
  const registry = join(dir, "registry.sqlite");
  const daemons: ChildProcess[] = [];
  let broker: RunningBroker | undefined;
  let consoleProcess: { child: ChildProcess; output: () => string } | undefined;

  const close = async () => {
    if (consoleProcess) await stop(consoleProcess.child);
    await Promise.all(daemons.map(stop));
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    broker = await startBroker({ port: ports.broker, users: [brokerUser] });
    const settings: BrokerSettings = {
      connector: "rabbitmq",
      vhost: "/mcollective",
      pool: [
        {
          host: "127.0.0.1",
          port: ports.broker,
          ...{ user: brokerUser.name, password: brokerUser.password },
        },
      ],
    };
    for (const node of NODES) {
      const home = join(dir, node.identity);
      await mkdir(join(home, "policies"), { recursive: true });
      // Tab-separated, as MCollective's actionpolicy reads it: bob may not ask for a package's status.
      await writeFile(
        join(home, "policies", "package.policy"),
        "policy default allow\ndeny\tuser=bob\tstatus\t*\t*\n",
      );
      const config = await writeServerConfig(home, {
        identity: node.identity,
        broker: settings,
        security: { provider: "psk", psk },
        libdir: [join(home, "libdir")],
        loglevel: "info",
        facts: node.facts,
        classes: node.classes,
        registerinterval: 2,
        extra: {
          registration: "meta",
          rpcauthorization: 1,
          rpcauthprovider: "action_policy",
          "plugin.actionpolicy.allow_unconfigured": 1,
          "plugin.replay.file": "none",
          ...(node.identity === "node1" ? { "plugin.registration.database": registry } : {}),
        },
      });
      const daemon = spawnTracked([PHOBOS_MCOLLECTIVED, "--config", config, "--no-daemonize"]);
      daemons.push(daemon.child);
    }
    for (const node of NODES) {
      const log = join(dir, node.identity, "mcollectived.log");
      await until(`${node.identity} ready`, async () =>
        (await readFile(log, "utf8").catch(() => "")).includes(`ready as ${node.identity}`)
          ? true
          : undefined,
      );
    }

    const clientHome = join(dir, "console");
    const clientConfig = await writeClientConfig(clientHome, {
      identity: "console",
      broker: settings,
      security: { provider: "psk", psk },
      libdir: [join(clientHome, "libdir")],
      loglevel: "warn",
      extra: {
        "plugin.registry.database": registry,
        "plugin.console.bind": "127.0.0.1",
        "plugin.console.port": ports.console,
        "plugin.console.users": join(clientHome, "users.json"),
      },
    });
    for (const [login, password] of Object.entries(USERS)) {
      await runConsoleCommand(["-c", clientConfig, "user", "add", login], `${password}\n`);
    }
    consoleProcess = spawnTracked([CONSOLE_BIN, "-c", clientConfig]);
    const running = consoleProcess;
    const url = await until(
      "the console listening",
      async () => {
        if (running.child.exitCode !== null) throw new Error(`phobos-console exited:\n${running.output()}`);
        return /(https?:\/\/[^\s"]+)/.exec(running.output())?.[1];
      },
      60_000,
    );
    return { dir, url, clientConfig, consoleOutput: running.output, close };
  } catch (err) {
    await close();
    throw err;
  }
}
