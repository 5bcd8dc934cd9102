import type { BrokerUser } from "./auth.js";
import type { BrokerLimits } from "./limits.js";
import type { BrokerLogger } from "./logger.js";
import type { ExchangeDeclaration } from "./vhost.js";

/**
 * TLS for the listener. Give each of certificate, key and CA either as PEM
 * text or as a file path (`…File`), not both.
 */
export interface BrokerTlsOptions {
  readonly cert?: string | Buffer | undefined;
  readonly certFile?: string | undefined;
  readonly key?: string | Buffer | undefined;
  readonly keyFile?: string | undefined;
  /** CA bundle that client certificates must chain to. */
  readonly ca?: string | Buffer | undefined;
  readonly caFile?: string | undefined;
  /** Require and verify a client certificate (needs a CA). */
  readonly verifyClient?: boolean | undefined;
}

export interface BrokerOptions {
  /** Address to listen on. Default `127.0.0.1`: a zero-setup broker is not exposed by accident. */
  readonly host?: string | undefined;
  /** Port to listen on; 0 picks a free one. Default 61613 (STOMP's). */
  readonly port?: number | undefined;
  /** Accepted logins. Default: `guest`/`guest` only, like a fresh RabbitMQ. */
  readonly users?: readonly BrokerUser[] | undefined;
  /** Allowed virtual hosts (CONNECT `host`). Default: any name, created on first use. */
  readonly vhosts?: readonly string[] | undefined;
  /** Exchanges that exist from the start, e.g. MCollective's `<collective>_broadcast` (topic). */
  readonly exchanges?: readonly ExchangeDeclaration[] | undefined;
  /**
   * Refuse unknown exchanges with RabbitMQ's NOT_FOUND ERROR instead of
   * declaring them on first use (`*_directed` direct, others topic).
   */
  readonly strictExchanges?: boolean | undefined;
  readonly tls?: BrokerTlsOptions | undefined;
  readonly limits?: Partial<BrokerLimits> | undefined;
  readonly logger?: BrokerLogger | undefined;
  /** CONNECTED `server` header. */
  readonly serverName?: string | undefined;
}
