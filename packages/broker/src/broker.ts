import { readFile } from "node:fs/promises";
import net, { type AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import tls from "node:tls";
import { createAuthenticator, DEFAULT_USERS } from "./auth.js";
import { BufferBudget } from "./buffer-budget.js";
import type { ExchangeType } from "./exchange.js";
import { resolveLimits } from "./limits.js";
import { quietLogger } from "./logger.js";
import type { BrokerOptions, BrokerTlsOptions } from "./options.js";
import { PreauthGate } from "./preauth.js";
import { Session, type SessionContext } from "./session.js";
import { type BrokerStats, newCounters } from "./stats.js";
import { VhostRegistry } from "./vhost.js";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 61613;
const SERVER_NAME = "phobos-broker/0.1.0";
/** How long close() lets connections flush before cutting them. */
const CLOSE_GRACE_MS = 1000;
/** How often buffered messages are checked for expiry when nobody consumes them. */
const EXPIRY_SWEEP_MS = 1000;

/** One queue as it stands. */
export interface QueueDepth {
  readonly vhost: string;
  readonly queue: string;
  /** Messages waiting, not yet delivered. */
  readonly depth: number;
  readonly consumers: number;
}

/** A broker listening for STOMP clients. */
export interface RunningBroker {
  /** The address it listens on, as bound. */
  readonly host: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  readonly tls: boolean;
  address(): AddressInfo;
  stats(): BrokerStats;
  /** Every queue with what it holds now: depth per queue, for metrics and operators. */
  queues(): QueueDepth[];
  /** Declares an exchange (e.g. before clients arrive with `strictExchanges`). */
  declareExchange(name: string, type: ExchangeType, vhost?: string): void;
  /** Stops listening, closes every connection, releases all timers. Idempotent. */
  close(): Promise<void>;
}

/** Starts a broker; resolves once it listens, rejects if it cannot (e.g. the port is taken). */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? quietLogger;
  const counters = newCounters();
  const budget = new BufferBudget(limits.maxBufferedBytes);
  const now = () => performance.now();
  const users = options.users && options.users.length > 0 ? options.users : DEFAULT_USERS;
  const vhosts = new VhostRegistry(
    {
      limits,
      budget,
      counters,
      logger,
      now,
      strictExchanges: options.strictExchanges ?? false,
      exchanges: options.exchanges ?? [],
    },
    options.vhosts && options.vhosts.length > 0 ? options.vhosts : undefined,
  );
  const sessions = new Set<Session>();
  /** Sessions past CONNECT: the ones `maxConnections` counts. */
  const authenticated = new Set<Session>();
  const preauth = new PreauthGate(limits, counters, logger, now);
  const context: SessionContext = {
    limits,
    logger,
    counters,
    auth: createAuthenticator(users),
    vhosts,
    serverName: options.serverName ?? SERVER_NAME,
    now,
    onLoggedIn(session, socket) {
      preauth.loggedIn(socket);
      if (authenticated.size >= limits.maxConnections) {
        counters.connectionsRejected++;
        logger.warn(
          `refusing ${session.remote}: ${authenticated.size} connections (broker limit maxConnections)`,
        );
        return false;
      }
      authenticated.add(session);
      return true;
    },
  };
  const accept = (socket: net.Socket) => {
    try {
      socket.on("error", (error) => logger.debug(`connection error: ${error.message}`));
      const session = new Session(socket, context, (closed) => {
        sessions.delete(closed);
        authenticated.delete(closed);
      });
      sessions.add(session);
      session.start();
    } catch (error) {
      logger.error(
        `failed to accept a connection: ${error instanceof Error ? error.message : String(error)}`,
      );
      socket.destroy();
    }
  };

  // A TLS server hands over the socket once its handshake is done; plain TCP at once.
  const server = options.tls
    ? tls.createServer(
        { ...(await tlsServerOptions(options.tls)), handshakeTimeout: limits.connectTimeoutMs },
        accept,
      )
    : net.createServer();
  // Every socket is logged in or waiting to (each bounded); the hard cap stops whatever
  // slips past them, e.g. sockets closing but not yet released, before any work.
  server.maxConnections = limits.maxConnections + limits.maxPreauthConnections + 64;
  server.on("drop", () => counters.connectionsDropped++);
  // Every TCP socket, sessions or not (e.g. mid TLS handshake), so close() can end them all.
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    try {
      counters.connectionsTotal++;
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", (error) => logger.debug(`connection error: ${error.message}`));
      if (!preauth.admit(socket)) return;
      if (!options.tls) accept(socket);
    } catch (error) {
      logger.error(
        `failed to accept a connection: ${error instanceof Error ? error.message : String(error)}`,
      );
      socket.destroy();
    }
  });
  if (server instanceof tls.Server) {
    server.on("tlsClientError", (error, socket) => {
      logger.debug(`TLS handshake with ${socket.remoteAddress} failed: ${error.message}`);
    });
  }

  const host = options.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new Error(`cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${error.message}`, {
          cause: error,
        }),
      );
    server.once("error", onError);
    server.listen({ host, port: options.port ?? DEFAULT_PORT }, () => {
      server.off("error", onError);
      server.on("error", (error) => logger.error(`listener error: ${error.message}`));
      resolve();
    });
  });

  const sweep = setInterval(() => {
    try {
      const at = now();
      for (const vhost of vhosts.all()) vhost.sweepExpired(at);
    } catch (error) {
      logger.error(`expiry sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, EXPIRY_SWEEP_MS).unref();

  const address = server.address() as AddressInfo;
  logger.info(
    `listening on ${options.tls ? "stomp+ssl" : "stomp"}://${address.address}:${address.port} (${users.map((u) => u.name).join(", ")})`,
  );

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    tls: options.tls !== undefined,
    address: () => address,
    queues(): QueueDepth[] {
      const list: QueueDepth[] = [];
      for (const vhost of vhosts.all()) {
        for (const queue of vhost.queueList) {
          list.push({
            vhost: vhost.name,
            queue: queue.name,
            depth: queue.depth,
            consumers: queue.consumerCount,
          });
        }
      }
      return list;
    },
    stats(): BrokerStats {
      let exchanges = 0;
      let queues = 0;
      let subscriptions = 0;
      let pendingBytes = 0;
      let maxConnectionPendingBytes = 0;
      for (const vhost of vhosts.all()) {
        exchanges += vhost.exchangeCount;
        queues += vhost.queueCount;
      }
      for (const session of sessions) {
        subscriptions += session.subscriptionCount;
        pendingBytes += session.pendingBytes;
        maxConnectionPendingBytes = Math.max(maxConnectionPendingBytes, session.pendingBytes);
      }
      return {
        ...counters,
        connections: sessions.size,
        authenticatedConnections: authenticated.size,
        preauthConnections: preauth.size,
        preauthPeak: preauth.peak,
        vhosts: vhosts.size,
        exchanges,
        queues,
        subscriptions,
        bufferedMessages: budget.count,
        bufferedBytes: budget.bytes,
        pendingBytes,
        maxConnectionPendingBytes,
      };
    },
    declareExchange(name, type, vhost = "/") {
      vhosts.get(vhost).declareExchange(name, type);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.close(() => resolve());
        for (const session of sessions) session.shutdown();
        // Peers get a moment to read their last frames; then whatever is left is cut.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS).unref();
        logger.info("closed");
      });
      return closing;
    },
  };
}

async function tlsServerOptions(options: BrokerTlsOptions): Promise<tls.TlsOptions> {
  const pem = async (label: string, text: string | Buffer | undefined, file: string | undefined) => {
    if (text !== undefined && file !== undefined) {
      throw new TypeError(`tls: give ${label} or ${label}File, not both`);
    }
    if (file === undefined) return text;
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(`tls: cannot read ${label} file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  const cert = await pem("cert", options.cert, options.certFile);
  const key = await pem("key", options.key, options.keyFile);
  const ca = await pem("ca", options.ca, options.caFile);
  if (cert === undefined || key === undefined)
    throw new TypeError("tls: a certificate and a key are required");
  if (options.verifyClient && ca === undefined) {
    throw new TypeError("tls: verifyClient needs a CA (ca or caFile) to check client certificates against");
  }
  return {
    cert,
    key,
    ...(ca !== undefined ? { ca } : {}),
    requestCert: options.verifyClient ?? false,
    rejectUnauthorized: options.verifyClient ?? false,
  };
}
