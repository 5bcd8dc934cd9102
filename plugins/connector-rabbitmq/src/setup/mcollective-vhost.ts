/**
 * The RabbitMQ side of an MCollective site, as the MCollective guide sets it up
 * (deploy/middleware/rabbitmq): a vhost, a user with `.*` on it, and per collective
 * `<collective>_broadcast` (topic: daemons bind one routing key per agent) and
 * `<collective>_directed` (direct: daemons bind their identity). Without the exchanges
 * the STOMP adapter refuses every `/exchange/…` subscription.
 *
 * Like rabbitmq-admin.ts, free of test assumptions: this is the operator's set-up
 * command in waiting.
 */
import { createHash } from "node:crypto";
import {
  type ExchangeType,
  RabbitMqAdmin,
  type RabbitMqAdminOptions,
  type UserInfo,
} from "./rabbitmq-admin.js";

export interface McollectiveExchange {
  readonly name: string;
  readonly type: ExchangeType;
}

/** The two exchanges the rabbitmq connector of MCollective 2.x uses for `collective`. */
export function mcollectiveExchanges(collective: string): readonly McollectiveExchange[] {
  return [
    { name: `${collective}_broadcast`, type: "topic" },
    { name: `${collective}_directed`, type: "direct" },
  ];
}

export interface PrepareMcollectiveVhostOptions {
  /** MCollective's guide uses `/mcollective`. */
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  /** Every collective any node or client uses, sub-collectives included. */
  readonly collectives: readonly string[];
  /** Shown by the management UI; useful to say who made the vhost. */
  readonly description?: string;
  /** An admin client, or the options to build one. */
  readonly admin?: RabbitMqAdmin | RabbitMqAdminOptions;
}

export interface McollectiveVhost {
  readonly vhost: string;
  readonly user: string;
  readonly collectives: readonly string[];
  readonly exchanges: readonly McollectiveExchange[];
  readonly admin: RabbitMqAdmin;
  /** Deletes the vhost (with its exchanges, queues and connections) and the user. Idempotent. */
  dispose(): Promise<void>;
}

const COLLECTIVE_NAME = /^[\w.-]+$/;

/**
 * Creates (or brings up to date) the vhost, the user and its permissions, and the
 * exchanges of every collective. Re-running it is harmless. If a step fails, whatever
 * this call created is removed again and the error is thrown.
 */
export async function prepareMcollectiveVhost(
  options: PrepareMcollectiveVhostOptions,
): Promise<McollectiveVhost> {
  const { vhost, user, password } = options;
  const collectives = [...new Set(options.collectives)];
  if (collectives.length === 0) throw new Error("prepareMcollectiveVhost: no collectives given");
  for (const c of collectives) {
    if (!COLLECTIVE_NAME.test(c)) {
      throw new Error(
        `prepareMcollectiveVhost: collective "${c}" is not a valid name (letters, digits, _ . -)`,
      );
    }
  }
  const admin = options.admin instanceof RabbitMqAdmin ? options.admin : new RabbitMqAdmin(options.admin);
  const exchanges = collectives.flatMap(mcollectiveExchanges);

  const vhostExisted = (await admin.getVhost(vhost)) !== undefined;
  const userExisted = (await admin.getUser(user)) !== undefined;
  try {
    await admin.createVhost(
      vhost,
      options.description === undefined ? {} : { description: options.description },
    );
    await admin.createUser(user, password);
    await admin.setPermissions(vhost, user);
    await Promise.all(exchanges.map((e) => admin.declareExchange(vhost, e.name, { type: e.type })));
  } catch (error) {
    await Promise.allSettled([
      vhostExisted ? undefined : admin.deleteVhost(vhost),
      userExisted ? undefined : admin.deleteUser(user),
    ]);
    throw error;
  }

  let disposed: Promise<void> | undefined;
  return {
    vhost,
    user,
    collectives,
    exchanges,
    admin,
    dispose() {
      disposed ??= (async () => {
        // Vhost first: deleting it closes the user's connections, so no client is left
        // retrying against a user that no longer exists.
        await admin.deleteVhost(vhost);
        await admin.deleteUser(user);
      })();
      return disposed;
    },
  };
}

/**
 * What {@link prepareMcollectiveVhost} would still have to create or change, one line
 * each (empty when the site is in place), without changing anything: lets a
 * configuration manager run the set-up only when it would do something.
 */
export async function missingFromMcollectiveVhost(
  options: Omit<PrepareMcollectiveVhostOptions, "description">,
): Promise<string[]> {
  const { vhost, user, password } = options;
  const admin = options.admin instanceof RabbitMqAdmin ? options.admin : new RabbitMqAdmin(options.admin);
  const missing: string[] = [];
  if ((await admin.getVhost(vhost)) === undefined) return [`vhost ${vhost} does not exist`];
  const account = await admin.getUser(user);
  if (account === undefined) missing.push(`user ${user} does not exist`);
  else if (!passwordMatches(account, password)) missing.push(`user ${user} has another password`);
  const granted = (await admin.listVhostPermissions(vhost)).find((p) => p.user === user);
  const all = granted && [granted.configure, granted.write, granted.read].every((p) => p === ".*");
  if (!all) {
    missing.push(`user ${user} lacks configure/write/read .* on ${vhost}`);
  }
  for (const exchange of [...new Set(options.collectives)].flatMap(mcollectiveExchanges)) {
    const found = await admin.getExchange(vhost, exchange.name);
    if (found === undefined) missing.push(`exchange ${exchange.name} does not exist`);
    else if (found.type !== exchange.type) {
      missing.push(`exchange ${exchange.name} is ${found.type}, not ${exchange.type}`);
    }
  }
  return missing;
}

const DIGESTS: Record<string, string> = {
  rabbit_password_hashing_sha256: "sha256",
  rabbit_password_hashing_sha512: "sha512",
  rabbit_password_hashing_md5: "md5",
};

/** RabbitMQ stores base64(salt ‖ digest(salt ‖ password)) with a 4-byte salt. */
function passwordMatches(account: UserInfo, password: string): boolean {
  const digest = DIGESTS[account.hashing_algorithm ?? "rabbit_password_hashing_sha256"];
  if (!digest || !account.password_hash) return false;
  const stored = Buffer.from(account.password_hash, "base64");
  const salt = stored.subarray(0, 4);
  const computed = createHash(digest).update(salt).update(password, "utf8").digest();
  return stored.length === 4 + computed.length && computed.equals(stored.subarray(4));
}
