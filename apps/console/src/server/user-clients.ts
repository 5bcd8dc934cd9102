/**
 * One client connection per signed-in user, so each request carries that
 * person as its callerid: under psk the client acts for the login
 * (`callertype = user`, `user=<login>`), under ssl it signs with the keys
 * the users store gives that login (`cert=<key name>`). The daemons'
 * action policies and audit logs then see the person, not the console.
 * A connection is opened on first use and closed after it has been idle.
 */
import { type Client, openClient } from "@phobos/client";
import { type Config, type Logger, type PluginRegistry, UsageError } from "@phobos/core";
import type { ConsoleUser } from "./users-store.js";

interface Entry {
  client: Promise<Client>;
  busy: number;
  idleSince: number;
}

export class UserClients {
  readonly #entries = new Map<string, Entry>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly config: Config,
    readonly registry: PluginRegistry,
    readonly log: Logger,
    readonly idleSeconds = 300,
  ) {
    this.#timer = setInterval(() => this.#closeIdle(), 30_000);
    this.#timer.unref();
  }

  /** The settings that make `user`'s requests theirs. */
  settingsFor(user: ConsoleUser): Record<string, string> {
    switch (this.config.securityProvider) {
      case "psk":
        return { "plugin.psk.callertype": "user" };
      case "ssl":
        if (user.sslPrivateKey === undefined || user.sslPublicKey === undefined) {
          throw new UsageError(
            `console user '${user.login}' has no ssl keys: under securityprovider ssl each user signs with their own (phobos-console user add ${user.login} --ssl-private KEY --ssl-public PUB)`,
          );
        }
        return {
          "plugin.ssl_client_private": user.sslPrivateKey,
          "plugin.ssl_client_public": user.sslPublicKey,
        };
      default:
        // Another provider names the caller its own way: the console cannot vouch per person.
        throw new UsageError(
          `securityprovider '${this.config.securityProvider}' cannot sign for each console user: use psk or ssl`,
        );
    }
  }

  /** Runs `fn` with `user`'s client; the connection stays open while in use. */
  async with<T>(user: ConsoleUser, fn: (client: Client) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(user.login);
    if (!entry) {
      const client = openClient({
        config: this.config,
        registry: this.registry,
        log: this.log,
        settings: this.settingsFor(user),
        user: user.login,
      });
      entry = { client, busy: 0, idleSince: Date.now() };
      this.#entries.set(user.login, entry);
      // A failed connection is not kept: the next request tries again.
      client.catch(() => {
        if (this.#entries.get(user.login) === entry) this.#entries.delete(user.login);
      });
    }
    entry.busy++;
    try {
      return await fn(await entry.client);
    } finally {
      entry.busy--;
      entry.idleSince = Date.now();
    }
  }

  /** Closes `login`'s connection once it is not in use (signed out, removed). */
  async drop(login: string): Promise<void> {
    const entry = this.#entries.get(login);
    if (!entry || entry.busy > 0) return;
    this.#entries.delete(login);
    await (await entry.client.catch(() => undefined))?.close();
  }

  #closeIdle(): void {
    const now = Date.now();
    for (const [login, entry] of this.#entries) {
      if (entry.busy === 0 && now - entry.idleSince > this.idleSeconds * 1000) void this.drop(login);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map(async (e) => (await e.client.catch(() => undefined))?.close()));
  }
}
