import { parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig, pluginSettings } from "@phobos/core";
import { missingFromMcollectiveVhost, prepareMcollectiveVhost } from "./mcollective-vhost.js";
import { adminOptionsFromEnv, RabbitMqAdmin } from "./rabbitmq-admin.js";

const USAGE = `Usage: phobos-rabbitmq-setup [options]

Prepares RabbitMQ for MCollective: the vhost, the user and its permissions,
and for each collective a topic exchange <collective>_broadcast and a direct
exchange <collective>_directed. Safe to run again.

  -c, --config FILE          read vhost, user, password and collectives from a
                             client.cfg or server.cfg (plugin.rabbitmq.* keys)
      --vhost VHOST          default: plugin.rabbitmq.vhost, else /mcollective
      --user NAME            default: plugin.rabbitmq.pool.1.user, else mcollective
      --password SECRET      default: PHOBOS_RABBITMQ_PASSWORD (keeps it out of
                             the process list), else plugin.rabbitmq.pool.1.password
      --collectives A,B      default: the config's collectives, else mcollective
      --api URL              management API (default RABBITMQ_MANAGEMENT_URL or
                             http://127.0.0.1:15672)
      --admin-user NAME      default RABBITMQ_MANAGEMENT_USER or guest
      --admin-password PW    default RABBITMQ_MANAGEMENT_PASSWORD or guest
      --check                change nothing: exit 0 when everything is in place,
                             else exit 1 and name what is missing (for Puppet's
                             'unless' and other configuration managers)
  -h, --help
`;

export interface SetupPlan {
  vhost: string;
  user: string;
  password: string;
  collectives: string[];
}

/** What to create, from flags first and the config's rabbitmq settings second. */
export function planFromConfig(
  flags: { vhost?: string; user?: string; password?: string; collectives?: string },
  config?: Config,
  env: NodeJS.ProcessEnv = {},
): SetupPlan {
  const settings = config ? pluginSettings(config, "rabbitmq") : undefined;
  const password = flags.password ?? env.PHOBOS_RABBITMQ_PASSWORD ?? settings?.string("pool.1.password");
  if (!password) {
    throw new ConfigError(
      "no password: give --password, PHOBOS_RABBITMQ_PASSWORD or a config with plugin.rabbitmq.pool.1.password",
      { key: "plugin.rabbitmq.pool.1.password" },
    );
  }
  return {
    vhost: flags.vhost ?? settings?.string("vhost") ?? "/mcollective",
    user: flags.user ?? settings?.string("pool.1.user") ?? "mcollective",
    password,
    collectives: flags.collectives
      ? flags.collectives
          .split(",")
          .map((c) => c.trim())
          .filter((c) => c !== "")
      : (config?.collectives ?? ["mcollective"]),
  };
}

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        vhost: { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        collectives: { type: "string" },
        api: { type: "string" },
        "admin-user": { type: "string" },
        "admin-password": { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    process.stderr.write(`phobos-rabbitmq-setup: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const config = typeof values.config === "string" ? loadConfig(values.config) : undefined;
    const plan = planFromConfig(values as Record<string, string | undefined>, config, process.env);
    const defaults = adminOptionsFromEnv();
    const admin = new RabbitMqAdmin({
      url: (values.api as string | undefined) ?? defaults.url,
      username: (values["admin-user"] as string | undefined) ?? defaults.username,
      password: (values["admin-password"] as string | undefined) ?? defaults.password,
    });
    if (values.check) {
      const missing = await missingFromMcollectiveVhost({ ...plan, admin });
      for (const line of missing) process.stdout.write(`missing: ${line}\n`);
      if (missing.length === 0) process.stdout.write(`vhost ${plan.vhost}: in place for user ${plan.user}\n`);
      return missing.length === 0 ? 0 : 1;
    }
    const site = await prepareMcollectiveVhost({
      ...plan,
      admin,
      description: "MCollective (set up by phobos-rabbitmq-setup)",
    });
    process.stdout.write(
      `vhost ${site.vhost}: user ${site.user} with configure/write/read .*; exchanges ${site.exchanges
        .map((e) => `${e.name} (${e.type})`)
        .join(", ")}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`phobos-rabbitmq-setup: ${(err as Error).message}\n`);
    return 1;
  }
}
