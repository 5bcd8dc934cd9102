import { readFile } from "node:fs/promises";
import { type BrokerUser, parseUserSpec } from "./auth.js";
import { BrokerConfigError } from "./errors.js";
import { EXCHANGE_TYPES, type ExchangeType } from "./exchange.js";
import { type BrokerLimits, resolveLimits } from "./limits.js";
import type { BrokerOptions, BrokerTlsOptions } from "./options.js";
import type { ExchangeDeclaration } from "./vhost.js";

/** Config keys for limits, in MCollective's snake_case, and whether they take a byte size. */
const LIMIT_KEYS: Record<string, { limit: keyof BrokerLimits; bytes: boolean }> = {
  max_frame_size: { limit: "maxFrameSize", bytes: true },
  max_headers: { limit: "maxHeaders", bytes: false },
  max_header_bytes: { limit: "maxHeaderBytes", bytes: true },
  max_pending_bytes: { limit: "maxPendingBytes", bytes: true },
  max_queue_messages: { limit: "maxQueueMessages", bytes: false },
  max_queue_bytes: { limit: "maxQueueBytes", bytes: true },
  max_buffered_bytes: { limit: "maxBufferedBytes", bytes: true },
  max_unacked: { limit: "maxUnacked", bytes: false },
  max_connections: { limit: "maxConnections", bytes: false },
  max_preauth_connections: { limit: "maxPreauthConnections", bytes: false },
  max_preauth_per_address: { limit: "maxPreauthPerAddress", bytes: false },
  connect_rate_per_address: { limit: "connectRatePerAddress", bytes: false },
  connect_burst_per_address: { limit: "connectBurstPerAddress", bytes: false },
  max_subscriptions: { limit: "maxSubscriptions", bytes: false },
  max_temp_queues: { limit: "maxTempQueues", bytes: false },
  max_transactions: { limit: "maxTransactions", bytes: false },
  max_transaction_bytes: { limit: "maxTransactionBytes", bytes: true },
  max_queues: { limit: "maxQueues", bytes: false },
  max_exchanges: { limit: "maxExchanges", bytes: false },
  max_vhosts: { limit: "maxVhosts", bytes: false },
  heartbeat_min: { limit: "heartbeatMinMs", bytes: false },
  heartbeat_grace: { limit: "heartbeatGrace", bytes: false },
  connect_timeout: { limit: "connectTimeoutMs", bytes: false },
};

/** The config keys that set a limit, e.g. for a host that reads them from its own config. */
export const BROKER_LIMIT_KEYS: readonly string[] = Object.keys(LIMIT_KEYS);

/**
 * One limit from its config key and text value (sizes take k/m/g), or
 * throws a TypeError saying what is wrong with the value.
 */
export function parseBrokerLimit(key: string, value: string): [keyof BrokerLimits, number] {
  const spec = LIMIT_KEYS[key];
  if (!spec) throw new TypeError(`unknown broker limit '${key}' (known: ${BROKER_LIMIT_KEYS.join(", ")})`);
  const fail = (why: string): never => {
    throw new TypeError(why);
  };
  const parsed = spec.bytes ? parseSize(value.trim(), fail) : parseCount(value.trim(), fail);
  resolveLimits({ [spec.limit]: parsed });
  return [spec.limit, parsed];
}

const OTHER_KEYS = [
  "bind",
  "port",
  "user",
  "vhost",
  "exchange",
  "strict_exchanges",
  "tls.cert",
  "tls.key",
  "tls.ca",
  "tls.verify_client",
] as const;

const SIZE = /^([0-9]+)\s*([kmg]?)i?b?$/i;
const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Parses a broker config file: `key = value` lines like MCollective's
 * server.cfg, `#` comments, blank lines ignored; `user`, `vhost` and
 * `exchange` may repeat. Sizes take k/m/g suffixes (1024-based). Anything
 * unusable is a BrokerConfigError naming `file:line`.
 *
 *     bind = 0.0.0.0
 *     port = 61613
 *     user = mcollective:marionette
 *     vhost = /mcollective
 *     exchange = mcollective_broadcast:topic
 *     tls.cert = /etc/phobos/broker.pem
 *     max_frame_size = 8m
 */
export function parseBrokerConfig(text: string, file = "<config>"): BrokerOptions {
  const users: BrokerUser[] = [];
  const vhosts: string[] = [];
  const exchanges: ExchangeDeclaration[] = [];
  const limits: Partial<Record<keyof BrokerLimits, number>> = {};
  const tls: { -readonly [K in keyof BrokerTlsOptions]: BrokerTlsOptions[K] } = {};
  let host: string | undefined;
  let port: number | undefined;
  let strictExchanges: boolean | undefined;

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNo = index + 1;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq < 0) throw new BrokerConfigError(file, lineNo, `expected 'key = value', got '${line}'`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const fail = (why: string): never => {
      throw new BrokerConfigError(file, lineNo, `${key}: ${why}`);
    };
    if (value === "") fail("has no value");

    const limitKey = LIMIT_KEYS[key];
    if (limitKey) {
      limits[limitKey.limit] = limitKey.bytes ? parseSize(value, fail) : parseCount(value, fail);
      return;
    }
    switch (key) {
      case "bind":
        host = value;
        break;
      case "port": {
        const n = parseCount(value, fail);
        if (n > 65535) fail(`'${value}' is not a port number`);
        port = n;
        break;
      }
      case "user": {
        const user = parseUserSpec(value);
        if (!user) fail(`'${value}' is not NAME:PASSWORD`);
        else users.push(user);
        break;
      }
      case "vhost":
        vhosts.push(value);
        break;
      case "exchange": {
        const [name = "", type = "topic", ...rest] = value.split(":");
        if (name === "" || rest.length > 0 || !(EXCHANGE_TYPES as readonly string[]).includes(type)) {
          fail(`'${value}' is not NAME[:TYPE] with TYPE one of ${EXCHANGE_TYPES.join(", ")}`);
        }
        exchanges.push({ name, type: type as ExchangeType });
        break;
      }
      case "strict_exchanges":
        strictExchanges = parseBool(value, fail);
        break;
      case "tls.cert":
        tls.certFile = value;
        break;
      case "tls.key":
        tls.keyFile = value;
        break;
      case "tls.ca":
        tls.caFile = value;
        break;
      case "tls.verify_client":
        tls.verifyClient = parseBool(value, fail);
        break;
      default:
        throw new BrokerConfigError(
          file,
          lineNo,
          `unknown key '${key}' (known: ${[...OTHER_KEYS, ...Object.keys(LIMIT_KEYS)].join(", ")})`,
        );
    }
  });

  const hasTls = Object.keys(tls).length > 0;
  if (hasTls && (!tls.certFile || !tls.keyFile)) {
    throw new BrokerConfigError(file, 0, "tls.cert and tls.key must both be set to enable TLS");
  }
  return {
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(users.length > 0 ? { users } : {}),
    ...(vhosts.length > 0 ? { vhosts } : {}),
    ...(exchanges.length > 0 ? { exchanges } : {}),
    ...(strictExchanges !== undefined ? { strictExchanges } : {}),
    ...(hasTls ? { tls } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

export async function readBrokerConfig(path: string): Promise<BrokerOptions> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new BrokerConfigError(path, 0, `cannot read: ${(error as Error).message}`);
  }
  return parseBrokerConfig(text, path);
}

function parseCount(value: string, fail: (why: string) => never): number {
  if (!/^[0-9]+$/.test(value)) fail(`'${value}' is not a non-negative integer`);
  return Number(value);
}

function parseSize(value: string, fail: (why: string) => never): number {
  const match = SIZE.exec(value);
  if (!match) return fail(`'${value}' is not a size (bytes, or with a k, m or g suffix)`);
  return Number(match[1]) * (UNITS[(match[2] ?? "").toLowerCase()] ?? 1);
}

function parseBool(value: string, fail: (why: string) => never): boolean {
  if (/^(1|true|yes|y|on)$/i.test(value)) return true;
  if (/^(0|false|no|n|off)$/i.test(value)) return false;
  return fail(`'${value}' is not a boolean (true/false, yes/no, 1/0)`);
}
