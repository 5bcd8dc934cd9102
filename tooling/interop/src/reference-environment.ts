/**
 * Where the reference peer lives on this machine (Debian's MCollective 2.12.5 on
 * Ruby 3.1) and how to reach the machine's RabbitMQ, plus one check that all of it is
 * there. Interop tests must fail, never skip, when it is not: the check's message says
 * how to provision the machine.
 */
import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  adminOptionsFromEnv,
  RabbitMqAdmin,
  type RabbitMqAdminOptions,
} from "@phobos/connector-rabbitmq/setup";

/** Debian's MCollective core: `mcollective.rb`, `mcollective/agent/…`, `mcollective/security/…`. */
export const DEBIAN_RUBY_LIB = "/usr/lib/ruby/vendor_ruby";
/** Debian's libdir for site plugins (empty on a fresh install; the core plugins are in the Ruby lib). */
export const DEBIAN_PLUGIN_DIR = "/usr/share/mcollective/plugins";
export const MCOLLECTIVED = "/usr/sbin/mcollectived";
export const MCO = "/usr/bin/mco";
export const RUBY = "ruby";
export const REFERENCE_MCOLLECTIVE_VERSION = "2.12.5";

export const PROVISION_HINT = "run `sh tooling/scripts/provision.sh`";

export class ReferenceEnvironmentError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `The reference MCollective environment is not ready (${PROVISION_HINT}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ReferenceEnvironmentError";
    this.problems = problems;
  }
}

/** The machine's RabbitMQ as the harness reaches it; overridable through RABBITMQ_* variables. */
export interface BrokerEndpointDefaults {
  readonly admin: RabbitMqAdminOptions;
  /** STOMP host for configs; default: the management URL's host. */
  readonly stompHost: string;
  /** From RABBITMQ_STOMP_PORT, else undefined: ask the broker's listeners. */
  readonly stompPort: number | undefined;
}

export function brokerDefaultsFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerEndpointDefaults {
  const admin = adminOptionsFromEnv(env);
  const url = admin.url ?? "http://127.0.0.1:15672";
  const port = env.RABBITMQ_STOMP_PORT === undefined ? undefined : Number(env.RABBITMQ_STOMP_PORT);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`RABBITMQ_STOMP_PORT=${env.RABBITMQ_STOMP_PORT} is not a TCP port`);
  }
  return {
    admin,
    stompHost: env.RABBITMQ_STOMP_HOST ?? new URL(url).hostname.replace(/^\[|\]$/g, ""),
    stompPort: port,
  };
}

export interface ReferenceEnvironment {
  readonly admin: RabbitMqAdmin;
  readonly stompHost: string;
  readonly stompPort: number;
  readonly rubyVersion: string;
  readonly rabbitmqVersion: string;
}

let checked: Promise<ReferenceEnvironment> | undefined;

/**
 * Checks Ruby, Debian's MCollective (daemon, client, core library), the management API
 * and the STOMP listener, reporting every missing piece at once. Cached per process,
 * unless another environment than the process's is given.
 */
export function checkReferenceEnvironment(env?: NodeJS.ProcessEnv): Promise<ReferenceEnvironment> {
  if (env !== undefined) return runChecks(env);
  checked ??= runChecks(process.env);
  // A failed check is not cached: provisioning may happen while a watch-mode run waits.
  checked.catch(() => {
    checked = undefined;
  });
  return checked;
}

async function runChecks(env: NodeJS.ProcessEnv): Promise<ReferenceEnvironment> {
  const defaults = brokerDefaultsFromEnv(env);
  const admin = new RabbitMqAdmin(defaults.admin);
  const problems: string[] = [];

  const [rubyVersion, rabbit] = await Promise.all([
    promisify(execFile)(RUBY, ["-e", "print RUBY_VERSION"], { timeout: 20_000, env }).then(
      (r) => r.stdout,
      (error: unknown) => {
        problems.push(`ruby does not run: ${error instanceof Error ? error.message : String(error)}`);
        return "";
      },
    ),
    admin.overview().then(
      (overview) => overview,
      (error: unknown) => {
        problems.push(
          `RabbitMQ's management API (rabbitmq_management plugin) does not answer: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        return undefined;
      },
    ),
    ...[
      MCOLLECTIVED,
      MCO,
      join(DEBIAN_RUBY_LIB, "mcollective.rb"),
      join(DEBIAN_RUBY_LIB, "mcollective/connector/rabbitmq.rb"),
    ].map((file) =>
      access(file).catch(() => {
        problems.push(`${file} is missing (Debian packages mcollective, mcollective-client)`);
      }),
    ),
    readFile(join(DEBIAN_RUBY_LIB, "mcollective.rb"), "utf8").then(
      (source) => {
        const version = /VERSION\s*=\s*"([^"]+)"/.exec(source)?.[1];
        if (version !== REFERENCE_MCOLLECTIVE_VERSION) {
          problems.push(
            `MCollective ${version ?? "?"} is installed; the reference is ${REFERENCE_MCOLLECTIVE_VERSION}`,
          );
        }
      },
      () => undefined, // reported with the other missing files
    ),
  ]);

  let stompPort = defaults.stompPort;
  if (rabbit !== undefined) {
    stompPort ??= rabbit.listeners.find((l) => l.protocol === "stomp")?.port;
    if (stompPort === undefined) {
      problems.push("RabbitMQ has no STOMP listener (rabbitmq_stomp plugin not enabled)");
    } else {
      const error = await tcpProbe(defaults.stompHost, stompPort);
      if (error !== undefined) {
        problems.push(
          `RabbitMQ's STOMP listener at ${defaults.stompHost}:${stompPort} refuses connections: ${error}`,
        );
      }
    }
  }

  if (problems.length > 0 || stompPort === undefined || rabbit === undefined) {
    throw new ReferenceEnvironmentError(problems);
  }
  return {
    admin,
    stompHost: defaults.stompHost,
    stompPort,
    rubyVersion,
    rabbitmqVersion: rabbit.rabbitmq_version ?? rabbit.product_version ?? "?",
  };
}

function tcpProbe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("timed out");
    });
    socket.once("error", (error) => resolve(error.message));
  });
}
