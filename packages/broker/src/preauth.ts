import { isIPv6, type Socket } from "node:net";
import type { BrokerLimits } from "./limits.js";
import type { BrokerLogger } from "./logger.js";
import { RateLimiter } from "./rate-limit.js";
import type { BrokerCounters } from "./stats.js";

/** Remote addresses whose connection rate is remembered at once. */
const RATE_TABLE_SIZE = 10_000;
/** Refusals are summed into one WARN line at most this often, so a flood cannot flood the log. */
const WARN_EVERY_MS = 10_000;

interface Pending {
  readonly socket: Socket;
  readonly address: string;
  readonly endpoint: string;
  readonly deadline: NodeJS.Timeout;
  waiting: boolean;
}

/**
 * Connections that have not logged in yet (TCP accepted, TLS handshake or
 * CONNECT still to come) cost the broker a socket and a little memory but
 * prove nothing, so they are bounded on their own and never count against
 * `maxConnections`: at most `maxPreauthConnections` of them, at most
 * `maxPreauthPerAddress` from one address (an IPv6 /64 counts as one), and
 * new ones from an address at most `connectRatePerAddress` a second. When a
 * cap is full the oldest waiting connection is closed to make room, so a
 * flood of idle sockets ages out while a client that sends CONNECT at once,
 * as every STOMP client does, still gets in. One still waiting after
 * `connectTimeoutMs` is closed: the deadline runs from the TCP accept, so
 * it covers a TLS handshake that never starts, which Node's own
 * `handshakeTimeout` does not.
 */
export class PreauthGate {
  /** Insertion order is age: the first entry is the one waiting longest. */
  private readonly pending = new Map<string, Pending>();
  private readonly byAddress = new Map<string, Set<Pending>>();
  private readonly rate: RateLimiter;
  private peakSize = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(
    private readonly limits: BrokerLimits,
    private readonly counters: BrokerCounters,
    private readonly logger: BrokerLogger,
    private readonly now: () => number,
  ) {
    this.rate = new RateLimiter({
      perSecond: limits.connectRatePerAddress,
      burst: limits.connectBurstPerAddress,
      maxKeys: RATE_TABLE_SIZE,
      now,
    });
  }

  /** Connections waiting to log in now. */
  get size(): number {
    return this.pending.size;
  }

  /** The most that ever waited at once. */
  get peak(): number {
    return this.peakSize;
  }

  /**
   * Registers a new TCP connection, making room by closing the oldest
   * waiting ones if needed; false (the socket is destroyed) when its
   * address is over its connection rate.
   */
  admit(socket: Socket): boolean {
    const endpoint = endpointOf(socket);
    if (socket.remoteAddress === undefined || endpoint === undefined) {
      // Already gone before we saw it.
      socket.destroy();
      return false;
    }
    const address = addressKey(socket.remoteAddress);
    if (!this.rate.take(address)) {
      this.counters.preauthRateLimited++;
      this.refused(address, "connectRatePerAddress");
      socket.destroy();
      return false;
    }
    const fromAddress = this.byAddress.get(address);
    if (fromAddress && fromAddress.size >= this.limits.maxPreauthPerAddress) {
      this.evict(first(fromAddress), "maxPreauthPerAddress");
    }
    if (this.pending.size >= this.limits.maxPreauthConnections) {
      this.evict(first(this.pending.values()), "maxPreauthConnections");
    }
    // A socket closed so recently that its 'close' has not run yet may share the endpoint.
    const stale = this.pending.get(endpoint);
    if (stale) this.forget(stale);
    const entry: Pending = {
      socket,
      address,
      endpoint,
      deadline: setTimeout(() => this.expire(entry), this.limits.connectTimeoutMs).unref(),
      waiting: true,
    };
    this.pending.set(endpoint, entry);
    let set = this.byAddress.get(address);
    if (!set) {
      set = new Set();
      this.byAddress.set(address, set);
    }
    set.add(entry);
    this.peakSize = Math.max(this.peakSize, this.pending.size);
    socket.once("close", () => this.forget(entry));
    return true;
  }

  /** The connection behind `socket` (plain, or the TLS socket over it) has logged in. */
  loggedIn(socket: Socket): void {
    const endpoint = endpointOf(socket);
    const entry = endpoint === undefined ? undefined : this.pending.get(endpoint);
    if (entry) this.forget(entry);
  }

  private evict(entry: Pending | undefined, limit: keyof BrokerLimits): void {
    if (!entry) return;
    this.forget(entry);
    this.counters.preauthEvicted++;
    this.refused(entry.address, limit);
    entry.socket.destroy();
  }

  private expire(entry: Pending): void {
    if (!entry.waiting) return;
    this.forget(entry);
    this.counters.preauthTimeouts++;
    this.logger.debug(`${entry.endpoint}: not logged in within ${this.limits.connectTimeoutMs} ms, closing`);
    entry.socket.destroy();
  }

  private forget(entry: Pending): void {
    if (!entry.waiting) return;
    entry.waiting = false;
    clearTimeout(entry.deadline);
    if (this.pending.get(entry.endpoint) === entry) this.pending.delete(entry.endpoint);
    const set = this.byAddress.get(entry.address);
    set?.delete(entry);
    if (set && set.size === 0) this.byAddress.delete(entry.address);
  }

  private refused(address: string, limit: keyof BrokerLimits): void {
    this.unreported++;
    const at = this.now();
    if (at - this.lastWarnAt < WARN_EVERY_MS) return;
    this.logger.warn(
      `closed ${this.unreported} connection(s) that had not logged in, latest from ${address} (broker limit ${limit} = ${this.limits[limit]}); ${this.pending.size} waiting`,
    );
    this.lastWarnAt = at;
    this.unreported = 0;
  }
}

function first<T>(items: Iterable<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}

function endpointOf(socket: Socket): string | undefined {
  if (socket.remoteAddress === undefined || socket.remotePort === undefined) return undefined;
  return `${socket.remoteAddress}|${socket.remotePort}`;
}

/**
 * What one client is, for per-address limits: the IPv4 address (also when
 * written IPv4-mapped), or the /64 of an IPv6 address, since one host is
 * routinely given a whole /64 and could otherwise pose as 2^64 clients.
 */
export function addressKey(remoteAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(remoteAddress)) return remoteAddress;
  const bare = remoteAddress.replace(/%.*$/, "").toLowerCase();
  const [head = "", tail] = bare.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  // A trailing dotted IPv4 part stands for two groups.
  const width = (parts: string[]) => parts.reduce((n, part) => n + (part.includes(".") ? 2 : 1), 0);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - width(left) - width(right)).fill("0"), ...right];
  return `${full
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
