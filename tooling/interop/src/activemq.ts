/**
 * ActiveMQ for tests of `connector = activemq`: the machine's broker (provisioned
 * by tooling/scripts/provision.sh on STOMP 61614), private brokers a test starts
 * and stops itself (failover, restarts), and a watch on the broker's consumer
 * advisories, which says when a daemon's subscriptions are in place: the
 * broker's own record, no sleeps.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { TcpStompSocket } from "@phobos/stomp-client";
import { Client, type IMessage } from "@stomp/stompjs";
import { registerChild } from "./child-registry.js";
import { PROVISION_HINT } from "./reference-environment.js";

/** tooling/scripts/activemq-instance.sh: writes a broker config and runs Debian's ActiveMQ with it. */
export const ACTIVEMQ_INSTANCE_SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../scripts/activemq-instance.sh",
);

/** A broker's STOMP endpoint and its two users (see activemq-instance.sh). */
export interface ActiveMqEndpoint {
  readonly host: string;
  readonly port: number;
  /** Rights on `mcollective.>` only, as MCollective's guide sets it up. */
  readonly user: string;
  readonly password: string;
  /** Rights on every destination: tests use random collectives. */
  readonly adminUser: string;
  readonly adminPassword: string;
}

/** The provisioned broker; ACTIVEMQ_STOMP_HOST/PORT, ACTIVEMQ_USER/PASSWORD, ACTIVEMQ_ADMIN_USER/PASSWORD override. */
export function activeMqFromEnv(env: NodeJS.ProcessEnv = process.env): ActiveMqEndpoint {
  const port = Number(env.ACTIVEMQ_STOMP_PORT ?? 61614);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`ACTIVEMQ_STOMP_PORT=${env.ACTIVEMQ_STOMP_PORT} is not a TCP port`);
  }
  return {
    host: env.ACTIVEMQ_STOMP_HOST ?? "127.0.0.1",
    port,
    user: env.ACTIVEMQ_USER ?? "mcollective",
    password: env.ACTIVEMQ_PASSWORD ?? "marionette",
    adminUser: env.ACTIVEMQ_ADMIN_USER ?? "admin",
    adminPassword: env.ACTIVEMQ_ADMIN_PASSWORD ?? "admin",
  };
}

/** Resolves when the broker accepts the admin login over STOMP; else throws naming the provision command. */
export async function checkActiveMq(endpoint: ActiveMqEndpoint = activeMqFromEnv()): Promise<void> {
  const watch = await watchConsumers(endpoint).catch((error: unknown) => {
    throw new Error(
      `ActiveMQ does not answer on STOMP ${endpoint.host}:${endpoint.port} (${(error as Error).message}): ${PROVISION_HINT}`,
    );
  });
  await watch.close();
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = netConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

export interface PrivateActiveMq {
  readonly endpoint: ActiveMqEndpoint;
  readonly port: number;
  readonly dir: string;
  /** True while the broker process runs. */
  readonly running: boolean;
  /** Stops the broker (TERM, KILL after 10 s); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits for the STOMP listener. */
  start(): Promise<void>;
  /** The broker's log, for failure messages. */
  log(): Promise<string>;
  /** Stops it and removes its directory. Idempotent. */
  dispose(): Promise<void>;
}

export interface PrivateActiveMqOptions {
  /** STOMP port; default a free one. */
  readonly port?: number;
  /** An OpenWire listener on 127.0.0.1 (network-of-brokers peers connect to it). */
  readonly openwirePort?: number;
  /**
   * Peers' OpenWire endpoints: a duplex topic and queue network connector to
   * each (activemq-instance.sh's PHOBOS_ACTIVEMQ_NETWORK). Needs `openwirePort`.
   */
  readonly network?: readonly { readonly host: string; readonly port: number }[];
  /** Collectives whose topics and queues cross the network; default `mcollective`. */
  readonly networkCollectives?: readonly string[];
  /** The bridge's longest wait between reconnect attempts, ms (the script's default 5000). */
  readonly networkMaxReconnectMs?: number;
  /** JVM heap; default `128m`. */
  readonly heap?: string;
  /** The broker directory's prefix; default `phobos-activemq-<port>-` in the temp dir. */
  readonly dirPrefix?: string;
  /** How long each start (and restart) may take to listen; default 60 s. */
  readonly startTimeoutMs?: number;
}

/**
 * The script's environment for {@link PrivateActiveMqOptions}' network
 * settings: only what the options say (an inherited PHOBOS_ACTIVEMQ_NETWORK
 * would network a broker no test asked for).
 */
function networkEnv(options: PrivateActiveMqOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    PHOBOS_ACTIVEMQ_OPENWIRE_PORT: undefined,
    PHOBOS_ACTIVEMQ_NETWORK: undefined,
    PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES: undefined,
    PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS: undefined,
  };
  if (options.openwirePort !== undefined) env.PHOBOS_ACTIVEMQ_OPENWIRE_PORT = String(options.openwirePort);
  if (options.network !== undefined && options.network.length > 0) {
    env.PHOBOS_ACTIVEMQ_NETWORK = options.network.map((p) => `${p.host}:${p.port}`).join(",");
  }
  if (options.networkCollectives !== undefined) {
    env.PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES = options.networkCollectives.join(",");
  }
  if (options.networkMaxReconnectMs !== undefined) {
    env.PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS = String(options.networkMaxReconnectMs);
  }
  return env;
}

/**
 * Starts a broker of its own (Debian's ActiveMQ, heap 128 MB, a free port, a
 * temp directory) for tests that stop or restart one: the provisioned broker
 * is shared by every test running in parallel. With `openwirePort` and
 * `network` it is a member of a network of brokers.
 */
export async function startPrivateActiveMq(options: PrivateActiveMqOptions = {}): Promise<PrivateActiveMq> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(options.dirPrefix ?? join(tmpdir(), `phobos-activemq-${port}-`));
  const passwords = { user: "marionette", admin: "admin" };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (child) return;
    const proc = spawn("sh", [ACTIVEMQ_INSTANCE_SCRIPT, "run", dir, String(port)], {
      stdio: ["ignore", "ignore", "ignore"],
      env: {
        ...process.env,
        PHOBOS_ACTIVEMQ_HEAP: options.heap ?? "128m",
        PHOBOS_ACTIVEMQ_USER_PASSWORD: passwords.user,
        PHOBOS_ACTIVEMQ_ADMIN_PASSWORD: passwords.admin,
        ...networkEnv(options),
      },
    });
    child = proc;
    registerChild(proc);
    proc.unref();
    let gone = false;
    exited = new Promise((done) =>
      proc.once("exit", () => {
        gone = true;
        if (child === proc) child = undefined;
        done();
      }),
    );
    const startMs = options.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + startMs;
    while (!(await listening(port))) {
      if (gone || Date.now() > deadline) {
        const why = gone ? "exited during start-up" : `does not listen after ${startMs / 1000} s`;
        throw new Error(`private ActiveMQ on ${port} ${why}:\n${await log()}`);
      }
      await sleep(100);
    }
  };
  const stop = async () => {
    const proc = child;
    if (!proc) return;
    proc.kill("SIGTERM");
    const killed = await Promise.race([exited.then(() => true), sleep(10_000, false)]);
    if (!killed) {
      proc.kill("SIGKILL");
      await exited;
    }
  };
  const log = async () =>
    readFile(join(dir, "data", "activemq.log"), "utf8").then(
      (text) => text.split("\n").slice(-30).join("\n"),
      (error: Error) => `(no log: ${error.message})`,
    );
  let disposing: Promise<void> | undefined;

  try {
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: {
      host: "127.0.0.1",
      port,
      user: "mcollective",
      password: passwords.user,
      adminUser: "admin",
      adminPassword: passwords.admin,
    },
    port,
    dir,
    get running() {
      return child !== undefined;
    },
    stop,
    start,
    log,
    dispose() {
      disposing ??= (async () => {
        await stop();
        await rm(dir, { recursive: true, force: true });
      })();
      return disposing;
    },
  };
}

/** One consumer the broker knows about. */
export interface ActiveMqConsumer {
  readonly id: string;
  readonly connectionId: string;
  /** `queue://mcollective.nodes`, `topic://mcollective.rpcutil.agent`. */
  readonly destination: string;
  readonly selector?: string;
}

export interface ConsumerWatch {
  consumers(): ActiveMqConsumer[];
  /** Resolves with what `probe` returns once it returns something, re-checked on every advisory. */
  until<T>(
    probe: (consumers: ActiveMqConsumer[]) => T | undefined,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  /** Waits until a daemon (one connection) consumes its directed queue and each agent's topic in each collective. */
  nodeReady(
    node: { identity: string; collectives: readonly string[]; agents: readonly string[] },
    timeoutMs?: number,
  ): Promise<string>;
  close(): Promise<void>;
}

interface AdvisoryBody {
  ConsumerInfo?: {
    consumerId: { connectionId: string; sessionId: number; value: number };
    destination: { "@class": string; string: string };
    selector?: string;
  };
  RemoveInfo?: { objectId: { connectionId: string; sessionId: number; value: number } };
}

/**
 * Follows `ActiveMQ.Advisory.Consumer.>` as the admin user: the broker replays
 * the consumers it has, then reports each new and each removed one.
 */
export function watchConsumers(endpoint: ActiveMqEndpoint, timeoutMs = 10_000): Promise<ConsumerWatch> {
  const known = new Map<string, ActiveMqConsumer>();
  const wake = new Set<() => void>();
  const client = new Client({
    webSocketFactory: () => new TcpStompSocket({ host: endpoint.host, port: endpoint.port }),
    connectHeaders: { login: endpoint.adminUser, passcode: endpoint.adminPassword, host: "mcollective" },
    reconnectDelay: 200,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    debug: () => {},
  });
  const onAdvisory = (message: IMessage) => {
    let body: AdvisoryBody;
    try {
      body = JSON.parse(message.body) as AdvisoryBody;
    } catch {
      return;
    }
    const key = (id: { connectionId: string; sessionId: number; value: number }) =>
      `${id.connectionId}:${id.sessionId}:${id.value}`;
    if (body.ConsumerInfo) {
      const info = body.ConsumerInfo;
      const kind = info.destination["@class"].includes("Queue") ? "queue" : "topic";
      known.set(key(info.consumerId), {
        id: key(info.consumerId),
        connectionId: info.consumerId.connectionId,
        destination: `${kind}://${info.destination.string}`,
        ...(info.selector === undefined
          ? {}
          : { selector: info.selector.replace(/^convert_string_expressions:/, "") }),
      });
    } else if (body.RemoveInfo) {
      known.delete(key(body.RemoveInfo.objectId));
    }
    for (const w of [...wake]) w();
  };

  const watch: ConsumerWatch = {
    consumers: () => [...known.values()],
    async until(probe, what, waitMs = 30_000) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const found = probe([...known.values()]);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`ActiveMQ ${endpoint.host}:${endpoint.port}: ${what} within ${waitMs} ms`);
        await new Promise<void>((done) => {
          const finish = () => {
            clearTimeout(timer);
            wake.delete(finish);
            done();
          };
          const timer = setTimeout(finish, left);
          wake.add(finish);
        });
      }
    },
    nodeReady(node, waitMs) {
      const selector = `mc_identity = '${node.identity}'`;
      return watch.until(
        (consumers) => {
          const first = node.collectives[0] ?? "mcollective";
          const directed = consumers.filter(
            (c) => c.destination === `queue://${first}.nodes` && c.selector === selector,
          );
          for (const d of directed) {
            const mine = consumers.filter((c) => c.connectionId === d.connectionId);
            const has = (destination: string, sel?: string) =>
              mine.some((c) => c.destination === destination && (sel === undefined || c.selector === sel));
            const complete = node.collectives.every(
              (c) =>
                has(`queue://${c}.nodes`, selector) &&
                node.agents.every((agent) => has(`topic://${c}.${agent}.agent`)),
            );
            if (complete) return d.connectionId;
          }
          return undefined;
        },
        `${node.identity} did not subscribe to its directed queue and the topics of ${node.agents.join(", ")} in ${node.collectives.join(", ")}`,
        waitMs,
      );
    },
    close: () => client.deactivate(),
  };

  return new Promise((resolveWatch, reject) => {
    const timer = setTimeout(() => {
      void client.deactivate();
      reject(new Error(`no STOMP session with ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.onConnect = () => {
      // After a broker restart the replay starts from scratch.
      known.clear();
      client.subscribe("/topic/ActiveMQ.Advisory.Consumer.>", onAdvisory);
      clearTimeout(timer);
      resolveWatch(watch);
    };
    client.onStompError = (frame) => {
      clearTimeout(timer);
      void client.deactivate();
      reject(new Error(frame.headers.message ?? "ERROR frame"));
    };
    client.activate();
  });
}
