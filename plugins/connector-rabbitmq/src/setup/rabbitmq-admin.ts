/**
 * A small client for RabbitMQ's management HTTP API (the `rabbitmq_management`
 * plugin), with what an MCollective site needs: vhost, user, permissions, the
 * two exchanges per collective, and a look at bindings and connections.
 *
 * Self-contained on purpose (global fetch, no dependencies, no test-only
 * assumptions): it is meant to become the operator's set-up command in the
 * RabbitMQ connector package. Every failure names the method, the URL, the
 * HTTP status and RabbitMQ's own reason.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface RabbitMqAdminOptions {
  /** Base URL of the management API. Default `http://127.0.0.1:15672`. */
  readonly url?: string;
  /** Default `guest` (RabbitMQ only lets guest in from localhost). */
  readonly username?: string;
  /** Default `guest`. */
  readonly password?: string;
  /** Per request. Default 10 s. */
  readonly requestTimeoutMs?: number;
}

export type ExchangeType = "direct" | "topic" | "fanout" | "headers";

export interface ExchangeDeclaration {
  readonly type: ExchangeType;
  /** Default true, as `rabbitmqadmin declare exchange` (the MCollective guide's tool) does. */
  readonly durable?: boolean;
  readonly autoDelete?: boolean;
  readonly internal?: boolean;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

export interface UserInfo {
  name: string;
  tags: unknown;
  /** base64 of a 4-byte salt followed by the digest of salt + password. */
  password_hash?: string;
  /** `rabbit_password_hashing_sha256` (the default), `_sha512` or `_md5`. */
  hashing_algorithm?: string;
}

export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export interface Binding {
  readonly source: string;
  readonly vhost: string;
  readonly destination: string;
  readonly destination_type: "queue" | "exchange";
  readonly routing_key: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly properties_key: string;
}

/** The fields every connection listing carries; the stats-based listings add many more. */
export interface ConnectionSummary {
  readonly name: string;
  readonly vhost: string;
  readonly user: string;
  readonly node?: string;
  readonly protocol?: string;
  readonly [key: string]: unknown;
}

export interface VhostInfo {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly [key: string]: unknown;
}

export interface PermissionEntry extends Permissions {
  readonly vhost: string;
  readonly user: string;
}

export interface Listener {
  readonly node: string;
  readonly protocol: string;
  readonly ip_address: string;
  readonly port: number;
}

export interface Overview {
  readonly rabbitmq_version?: string;
  readonly product_version?: string;
  readonly management_version: string;
  readonly node: string;
  readonly listeners: readonly Listener[];
  readonly [key: string]: unknown;
}

/** A management API call that failed: transport error or non-2xx answer. */
export class RabbitMqAdminError extends Error {
  readonly method: string;
  readonly url: string;
  /** HTTP status, or undefined when the API could not be reached at all. */
  readonly status: number | undefined;
  /** RabbitMQ's `reason` (or the transport error's message). */
  readonly reason: string;

  constructor(
    detail: { method: string; url: string; status?: number; reason: string },
    options?: { cause?: unknown },
  ) {
    const what =
      detail.status === undefined
        ? `cannot reach the RabbitMQ management API: ${detail.reason}`
        : `HTTP ${detail.status}: ${detail.reason}`;
    super(`${detail.method} ${detail.url} failed: ${what}`, options);
    this.name = "RabbitMqAdminError";
    this.method = detail.method;
    this.url = detail.url;
    this.status = detail.status;
    this.reason = detail.reason;
  }
}

const ALL: Permissions = { configure: ".*", write: ".*", read: ".*" };

function segment(value: string): string {
  // Vhost names usually start with "/" (MCollective's guide uses "/mcollective"), which
  // must travel as %2F inside a path segment.
  return encodeURIComponent(value);
}

function isNotFound(error: unknown): boolean {
  return error instanceof RabbitMqAdminError && error.status === 404;
}

export class RabbitMqAdmin {
  readonly url: string;
  readonly username: string;
  readonly #authorization: string;
  readonly #requestTimeoutMs: number;

  constructor(options: RabbitMqAdminOptions = {}) {
    this.url = (options.url ?? "http://127.0.0.1:15672").replace(/\/+$/, "");
    this.username = options.username ?? "guest";
    const password = options.password ?? "guest";
    this.#authorization = `Basic ${Buffer.from(`${this.username}:${password}`).toString("base64")}`;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async overview(): Promise<Overview> {
    return (await this.#request("GET", "/api/overview")) as Overview;
  }

  /** Port of the first listener for `protocol` (`stomp`, `amqp`, `http`…), if enabled. */
  async listenerPort(protocol: string): Promise<number | undefined> {
    const { listeners } = await this.overview();
    return listeners.find((l) => l.protocol === protocol)?.port;
  }

  async listVhosts(): Promise<VhostInfo[]> {
    return (await this.#request("GET", "/api/vhosts")) as VhostInfo[];
  }

  async getVhost(vhost: string): Promise<VhostInfo | undefined> {
    return (await this.#optional("GET", `/api/vhosts/${segment(vhost)}`)) as VhostInfo | undefined;
  }

  /** Creates the vhost, or updates its description if it exists. */
  async createVhost(vhost: string, options: { description?: string } = {}): Promise<void> {
    const body = options.description === undefined ? undefined : { description: options.description };
    await this.#request("PUT", `/api/vhosts/${segment(vhost)}`, body);
  }

  /** Deletes the vhost with everything in it (closes its connections). False if there was none. */
  async deleteVhost(vhost: string): Promise<boolean> {
    return (await this.#optional("DELETE", `/api/vhosts/${segment(vhost)}`)) !== undefined;
  }

  async getUser(user: string): Promise<UserInfo | undefined> {
    return (await this.#optional("GET", `/api/users/${segment(user)}`)) as UserInfo | undefined;
  }

  /** Creates the user, or resets its password and tags if it exists. Tags default to none. */
  async createUser(
    user: string,
    password: string,
    options: { tags?: readonly string[] } = {},
  ): Promise<void> {
    await this.#request("PUT", `/api/users/${segment(user)}`, {
      password,
      tags: (options.tags ?? []).join(","),
    });
  }

  /** False if there was no such user. */
  async deleteUser(user: string): Promise<boolean> {
    return (await this.#optional("DELETE", `/api/users/${segment(user)}`)) !== undefined;
  }

  /** Defaults to `.*` for configure, write and read: what an MCollective user needs. */
  async setPermissions(vhost: string, user: string, permissions: Permissions = ALL): Promise<void> {
    await this.#request("PUT", `/api/permissions/${segment(vhost)}/${segment(user)}`, { ...permissions });
  }

  async listVhostPermissions(vhost: string): Promise<PermissionEntry[]> {
    return (await this.#request("GET", `/api/vhosts/${segment(vhost)}/permissions`)) as PermissionEntry[];
  }

  async listUserPermissions(user: string): Promise<PermissionEntry[]> {
    return (await this.#request("GET", `/api/users/${segment(user)}/permissions`)) as PermissionEntry[];
  }

  /**
   * Idempotent for an identical declaration; RabbitMQ answers 400 ("inequivalent arg")
   * when an exchange of that name exists with other properties.
   */
  async declareExchange(vhost: string, name: string, declaration: ExchangeDeclaration): Promise<void> {
    await this.#request("PUT", `/api/exchanges/${segment(vhost)}/${segment(name)}`, {
      type: declaration.type,
      durable: declaration.durable ?? true,
      auto_delete: declaration.autoDelete ?? false,
      internal: declaration.internal ?? false,
      arguments: declaration.arguments ?? {},
    });
  }

  async getExchange(vhost: string, name: string): Promise<{ name: string; type: string } | undefined> {
    return (await this.#optional("GET", `/api/exchanges/${segment(vhost)}/${segment(name)}`)) as
      | { name: string; type: string }
      | undefined;
  }

  async deleteExchange(vhost: string, name: string): Promise<boolean> {
    return (
      (await this.#optional("DELETE", `/api/exchanges/${segment(vhost)}/${segment(name)}`)) !== undefined
    );
  }

  /** Read straight from the broker's tables, so a new subscription shows at once. */
  async listBindings(vhost: string): Promise<Binding[]> {
    return (await this.#request("GET", `/api/bindings/${segment(vhost)}`)) as Binding[];
  }

  /**
   * The vhost's connections with their statistics. Built from the statistics database,
   * so a connection appears only after the next stats emission (up to
   * `collect_statistics_interval`, 5 s by default); use {@link listUserConnections} for
   * an immediate answer.
   */
  async listConnections(vhost: string): Promise<ConnectionSummary[]> {
    return (await this.#request("GET", `/api/vhosts/${segment(vhost)}/connections`)) as ConnectionSummary[];
  }

  /** A user's connections from the broker's connection tracking: immediate, all vhosts. */
  async listUserConnections(user: string): Promise<ConnectionSummary[]> {
    return (await this.#request("GET", `/api/connections/username/${segment(user)}`)) as ConnectionSummary[];
  }

  /**
   * Closes one connection by name. Only works once the statistics database knows the
   * connection (404 before that); see {@link closeVhostConnections}.
   */
  async closeConnection(name: string, reason = "closed by the management API"): Promise<boolean> {
    const closed = await this.#optional("DELETE", `/api/connections/${segment(name)}`, undefined, {
      "x-reason": reason,
    });
    return closed !== undefined;
  }

  /** Closes every connection of `user`, in any vhost. Works immediately. */
  async closeUserConnections(user: string, reason = "closed by the management API"): Promise<void> {
    await this.#optional("DELETE", `/api/connections/username/${segment(user)}`, undefined, {
      "x-reason": reason,
    });
  }

  /**
   * Closes every connection to `vhost` and waits until the broker has dropped them.
   * Returns the names of the connections closed (clients that reconnect get new names).
   *
   * Per-name DELETE needs the statistics database to know the connection, which can
   * take seconds for a fresh one; so users whose permissions are limited to this vhost
   * (the usual MCollective set-up) are disconnected by user name, which is immediate, and
   * only the others (e.g. an administrator also connected elsewhere) by connection name.
   */
  async closeVhostConnections(
    vhost: string,
    options: { reason?: string; timeoutMs?: number } = {},
  ): Promise<string[]> {
    const reason = options.reason ?? "closed by the management API";
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    const closed: { user: string; name: string }[] = [];

    for (const { user } of await this.listVhostPermissions(vhost)) {
      const mine = (await this.listUserConnections(user)).filter((c) => c.vhost === vhost);
      if (mine.length === 0) continue;
      const vhostsOfUser = new Set((await this.listUserPermissions(user)).map((p) => p.vhost));
      if (vhostsOfUser.size === 1 && vhostsOfUser.has(vhost)) {
        await this.closeUserConnections(user, reason);
      } else {
        for (const { name } of mine) {
          while (!(await this.closeConnection(name, reason))) {
            if (Date.now() > deadline) {
              throw new Error(
                `closing connection "${name}" in vhost "${vhost}": the management API still does not know it`,
              );
            }
            await sleep(100);
          }
        }
      }
      closed.push(...mine.map((c) => ({ user, name: c.name })));
    }

    for (const user of new Set(closed.map((c) => c.user))) {
      const names = new Set(closed.filter((c) => c.user === user).map((c) => c.name));
      while ((await this.listUserConnections(user)).some((c) => names.has(c.name))) {
        if (Date.now() > deadline) {
          throw new Error(`connections of user "${user}" in vhost "${vhost}" are still open after closing`);
        }
        await sleep(25);
      }
    }
    return closed.map((c) => c.name);
  }

  /** Like {@link #request}, but a 404 answers undefined. */
  async #optional(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<unknown> {
    try {
      return (await this.#request(method, path, body, headers)) ?? null;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async #request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const url = `${this.url}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: this.#authorization,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
    } catch (error) {
      throw new RabbitMqAdminError({ method, url, reason: transportReason(error) }, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RabbitMqAdminError({
        method,
        url,
        status: response.status,
        reason: rabbitReason(text) ?? response.statusText,
      });
    }
    if (text === "") return null;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new RabbitMqAdminError(
        { method, url, status: response.status, reason: `answer is not JSON: ${text.slice(0, 200)}` },
        { cause: error },
      );
    }
  }
}

function transportReason(error: unknown): string {
  if (error instanceof Error) {
    // fetch() reports "fetch failed" and hides the useful part (ECONNREFUSED…) in cause.
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return typeof code === "string" ? `${code} (${cause.message})` : cause.message;
    }
    if (error.name === "TimeoutError") return "no answer before the request timeout";
    return error.message;
  }
  return String(error);
}

function rabbitReason(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; reason?: unknown };
    const reason = parsed.reason ?? parsed.error;
    if (reason === undefined) return undefined;
    return typeof reason === "string" ? reason : JSON.stringify(reason);
  } catch {
    return text.trim() === "" ? undefined : text.trim().slice(0, 500);
  }
}

/**
 * The management API to talk to when nothing else is said: the
 * `RABBITMQ_MANAGEMENT_URL`/`_USER`/`_PASSWORD` environment, else a local
 * broker with RabbitMQ's default guest account.
 */
export function adminOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RabbitMqAdminOptions {
  return {
    url: env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672",
    username: env.RABBITMQ_MANAGEMENT_USER ?? "guest",
    password: env.RABBITMQ_MANAGEMENT_PASSWORD ?? "guest",
  };
}
