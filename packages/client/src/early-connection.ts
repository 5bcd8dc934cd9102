/**
 * The broker connection a client starts before it knows it will use it.
 *
 * An `mco rpc … -I node1` spends most of its life loading code (the
 * application, the agent's DDL, the security plugin, the client engines) and
 * then, strictly after all of it, waits on the network: TCP connect, STOMP
 * CONNECT/CONNECTED (or the AMQP handshake), then the request. Nothing in the
 * handshake depends on that code, only on the config, so mco starts it as
 * soon as it knows the config and that the command talks to the broker, and
 * the handshake runs while the rest loads. {@link connectMessaging} then
 * adopts the connector instead of making one.
 *
 * What the operator sees stays what a connection made at adoption time
 * would show: the connector's log lines are held until adoption (and
 * dropped if the run never asks for the broker, e.g. a usage error), a
 * failure to load or create the connector is thrown at adoption, in the
 * order connectMessaging always reported problems, and the connection
 * deadline (`--connection-timeout`, `connection_timeout`) is applied at
 * adoption by joining the attempt in progress (Connector.connect), so a
 * broker that is down gives the same one error with the same exit code.
 */
import type { Config, Connector, InboundMessage, Logger, LogLevel, PluginRegistry } from "@phobos/core";
import { createPlugin, pluginContextFor } from "@phobos/core";

/** The connector of a config, found and created, the way connectMessaging reports its problems. */
export interface ConnectorOpening {
  /** Settles once the connector plugin is found (rejects when it is not installed). */
  readonly found: Promise<unknown>;
  /** The connector, created on the first call (rejects with what `found` or creation threw). */
  connector(): Promise<Connector>;
}

/** Finds the configured connector now and creates it when asked; `log` is the client's logger. */
export function openConnector(
  config: Config,
  registry: PluginRegistry,
  log: Logger,
  user?: string,
): ConnectorOpening {
  const found = registry.require("connector", config.connector, {
    ...config.sources.get("connector"),
    key: "connector",
  });
  // The caller may stop at an earlier error and never await this one.
  found.catch(() => {});
  let created: Promise<Connector> | undefined;
  return {
    found,
    connector: () => {
      created ??= found.then((definition) =>
        createPlugin(
          definition,
          pluginContextFor(config, "connector", config.connector, {
            log: log.child(`connector/${config.connector}`),
            mode: "client",
            ...(user !== undefined ? { user } : {}),
          }),
          registry.find("connector", config.connector) ?? {},
        ),
      );
      return created;
    },
  };
}

interface HeldLine {
  level: LogLevel;
  logger: Logger;
  message: string;
}

/**
 * A logger whose lines wait, in order, until `release()` sends them (and
 * later ones straight) to `log`, or `drop()` discards them and all later ones.
 */
function holdingLogger(log: Logger): { logger: Logger; release(): void; drop(): void } {
  let state: "holding" | "released" | "dropped" = "holding";
  const held: HeldLine[] = [];
  const wrap = (target: Logger): Logger => {
    const write = (level: LogLevel) => (message: string) => {
      if (state === "released") target[level](message);
      else if (state === "holding" && target.enabled(level)) held.push({ level, logger: target, message });
    };
    return {
      tag: target.tag,
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      fatal: write("fatal"),
      enabled: (level) => target.enabled(level),
      child: (tag) => wrap(target.child(tag)),
    };
  };
  return {
    logger: wrap(log),
    release() {
      if (state !== "holding") return;
      state = "released";
      for (const line of held.splice(0)) line.logger[line.level](line.message);
    },
    drop() {
      if (state !== "holding") return;
      state = "dropped";
      held.length = 0;
    },
  };
}

/** A connection started early; see the module comment. */
export class EarlyConnection {
  readonly #opening: ConnectorOpening;
  readonly #log: ReturnType<typeof holdingLogger>;
  /** Set when the early connect() failed for good (attempts exhausted): adoption rethrows it. */
  #failure: { error: unknown } | undefined;
  #deliver: ((message: InboundMessage) => void) | undefined;
  readonly #early: InboundMessage[] = [];
  #adopted = false;
  /** The client asked the adopted connector to connect: from then on it disconnects it. */
  #takenOver = false;
  #closed = false;

  private constructor(config: Config, registry: PluginRegistry, log: Logger) {
    this.#log = holdingLogger(log);
    this.#opening = openConnector(config, registry, this.#log.logger);
  }

  /**
   * Finds and creates the configured connector and starts connecting it;
   * resolves once the connection attempt is under way (not once it is
   * made). Never rejects: problems wait for adoption.
   */
  static async start(config: Config, registry: PluginRegistry, log: Logger): Promise<EarlyConnection> {
    const early = new EarlyConnection(config, registry, log);
    const connector = await early.#opening.connector().catch(() => undefined);
    if (connector && !early.#closed) {
      // Deliveries are routed before connect(), as the contract asks; none are expected
      // before the client subscribes, and any that come wait for its handler.
      connector.onMessage((message) => {
        if (early.#deliver) early.#deliver(message);
        else early.#early.push(message);
      });
      // No deadline yet: the one that counts is set when the client adopts the attempt.
      connector.connect().catch((error: unknown) => {
        early.#failure = { error };
      });
      // Node opens the socket on the next tick, and the connector writes CONNECT (or the AMQP
      // header) once the event loop reports the socket connected, a turn or two later. What the
      // caller does next, importing modules, may run as one long chain of microtasks that never
      // yields (Node 22 reads modules synchronously), and the handshake would wait for the very
      // loading it is meant to overlap; two turns of the loop let it get on the wire first.
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
    return early;
  }

  /**
   * For connectMessaging: the opening it would have made, whose connector
   * joins the attempt in progress. The held log lines come out when the
   * client asks for the connector, where a connector made then would log.
   */
  adopt(): ConnectorOpening {
    if (this.#closed) throw new Error("this early connection was closed before it was adopted");
    if (this.#adopted) throw new Error("this early connection was adopted already");
    this.#adopted = true;
    return {
      found: this.#opening.found,
      connector: () => {
        this.#log.release();
        return this.#opening.connector().then((connector) => this.#facade(connector));
      },
    };
  }

  #facade(connector: Connector): Connector {
    return {
      describe: () => connector.describe(),
      connect: async (options) => {
        this.#takenOver = true;
        // An early attempt that already gave up (max_reconnect_attempts) has logged why, held
        // until now: asking again would start a second round of attempts and log it twice.
        if (this.#failure) throw this.#failure.error;
        return connector.connect(options);
      },
      disconnect: () => connector.disconnect(),
      subscribe: (sub) => connector.subscribe(sub),
      unsubscribe: (sub) => connector.unsubscribe(sub),
      publish: (message) => connector.publish(message),
      onMessage: (handler) => {
        this.#deliver = handler;
        for (const message of this.#early.splice(0)) handler(message);
      },
      ...(connector.onStateChange ? { onStateChange: (handler) => connector.onStateChange?.(handler) } : {}),
    };
  }

  /**
   * Ends the connection unless the client took it over (it disconnects it
   * then): one never adopted, or one whose client failed before connecting
   * (a security plugin that cannot be loaded). A run that never asked for
   * the broker shows nothing of it: the connector's held log lines go too.
   */
  async close(): Promise<void> {
    if (this.#closed || this.#takenOver) return;
    this.#closed = true;
    this.#log.drop();
    const connector = await this.#opening.connector().catch(() => undefined);
    await connector?.disconnect().catch(() => {});
  }
}
