import type { Config, Connector, Logger, Registration, RubyValue, SecurityProvider } from "@phobos/core";
import { ConfigError, createRequestId, emptyFilter, type Filter } from "@phobos/core";

/**
 * MCollective's Registration::Base: every `registerinterval` seconds the
 * daemon sends what its registration plugin's `body()` returns as a request
 * to the `registration` agent, so that a receiver somewhere keeps a list of
 * the fleet. The first one goes out at start-up, or after a random whole
 * number of seconds below the interval with `registration_splay`. An
 * undefined or null body skips a round; a failing body or publish is logged
 * (once per cause) and tried again next interval, so the daemon never stops
 * over it.
 */
export interface RegistrationLoopOptions {
  plugin: Registration;
  /** The plugin's name, for logs. */
  name: string;
  /** Seconds between two registrations (> 0). */
  interval: number;
  splay: boolean;
  collective: string;
  identity: string;
  /** The request ttl: the daemon's `ttl`, as Ruby's Message takes it. */
  ttl: number;
  security: SecurityProvider;
  connector: Connector;
  log: Logger;
  /** [0, 1), as Math.random; tests pin it. */
  random?: () => number;
}

/** Ruby's `msg_filter`: the empty filter plus the registration agent. */
export function registrationFilter(): Filter {
  return { ...emptyFilter(), agent: ["registration"] };
}

/**
 * Ruby's `target_collective`: `registration_collective`, or the main
 * collective when it is unset or not one of this node's collectives.
 */
export function registrationTarget(config: Config, log: Logger): string {
  const wanted = config.registrationCollective ?? config.mainCollective;
  if (config.collectives.includes(wanted)) return wanted;
  log.warn(
    `Sending registration to ${config.mainCollective}: ${wanted} is not a valid collective (registration_collective must be one of ${config.collectives.join(", ")})`,
  );
  return config.mainCollective;
}

/** `registerinterval`, checked: 0 turns registration off, as in Ruby; below 0 is refused. */
export function registrationInterval(config: Config): number {
  const interval = config.registerInterval;
  if (interval < 0) {
    throw new ConfigError(
      `'${interval}' is not an interval: give the seconds between registrations, or 0 to send none`,
      { ...config.sources.get("registerinterval"), key: "registerinterval" },
    );
  }
  return interval;
}

export class RegistrationLoop {
  readonly #o: RegistrationLoopOptions;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;
  /** The cause last logged as an error: a repeat of it is logged at debug only. */
  #failing: string | undefined;
  #sent = 0;

  constructor(options: RegistrationLoopOptions) {
    this.#o = options;
  }

  /** Registrations handed to the connector so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Schedules the first registration: now, or after the splay delay. */
  start(): void {
    if (this.#stopped || this.#timer !== undefined || this.#round !== undefined) return;
    const { splay, interval, random = Math.random } = this.#o;
    // Ruby's rand(interval): a whole number of seconds in [0, interval).
    const delay = splay ? Math.floor(random() * interval) : 0;
    if (splay) {
      this.#o.log.debug(`registration_splay enabled. Registration will start in ${delay} seconds`);
    }
    this.#schedule(delay);
  }

  /** Cancels the next registration and waits for one being sent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  #schedule(seconds: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#round = this.#runRound().finally(() => {
        this.#round = undefined;
        this.#schedule(this.#o.interval);
      });
    }, seconds * 1000);
  }

  async #runRound(): Promise<void> {
    const { log, name } = this.#o;
    let stage = "body()";
    try {
      const body = await this.#o.plugin.body();
      if (this.#stopped) return;
      if (body === undefined || body === null) {
        log.debug("Skipping registration due to nil body");
        return;
      }
      stage = "publish";
      await this.#publish(body);
      this.#sent++;
      if (this.#failing !== undefined) {
        log.info(`Sending registration messages works again (registration plugin '${name}')`);
        this.#failing = undefined;
      }
    } catch (err) {
      const cause = `${stage}: ${(err as Error)?.message ?? String(err)}`;
      const text = `Sending registration message failed (registration plugin '${name}', ${cause}); trying again in ${this.#o.interval} seconds`;
      if (cause === this.#failing) {
        log.debug(text);
      } else {
        log.error(text);
        this.#failing = cause;
      }
    }
  }

  async #publish(body: RubyValue): Promise<void> {
    const { security, connector, collective, identity, ttl, log } = this.#o;
    const requestid = createRequestId();
    const bytes = security.encodeRequest({
      senderid: identity,
      requestid,
      filter: registrationFilter(),
      collective,
      agent: "registration",
      ttl,
      msgtime: Math.floor(Date.now() / 1000),
      body,
    });
    log.debug(`Sending registration ${requestid} to collective ${collective}`);
    // A daemon's request counter stays 0 in Ruby (Client.request_sequence): ActiveMQ names the reply queue with it.
    await connector.publish({
      kind: "request",
      agent: "registration",
      collective,
      body: bytes,
      ttl,
      requestSeq: 0,
    });
  }
}

export interface RegistrationDeps {
  /** Finds and builds the named registration plugin; a ConfigError names the key and the installed ones. */
  create(name: string): Promise<Registration>;
  security: SecurityProvider;
  connector: Connector;
  log: Logger;
}

/**
 * The loop `registerinterval` asks for, not yet started, or undefined when
 * it is 0. The plugin is loaded before the daemon connects, so an unknown
 * `registration` stops start-up as it stopped Ruby's (its config loader
 * loaded the class), rather than a daemon that silently never registers.
 */
export async function loadRegistration(
  config: Config,
  deps: RegistrationDeps,
): Promise<RegistrationLoop | undefined> {
  const interval = registrationInterval(config);
  if (interval === 0) return undefined;
  const plugin = await deps.create(config.registration);
  const log = deps.log.child(`registration/${config.registration}`);
  return new RegistrationLoop({
    plugin,
    name: config.registration,
    interval,
    splay: config.registrationSplay,
    collective: registrationTarget(config, log),
    identity: config.identity,
    ttl: config.ttl,
    security: deps.security,
    connector: deps.connector,
    log,
  });
}
