import type { DecodedRequest, Logger, RubyValue } from "@phobos/core";
import {
  createThrottledLog,
  type NodeUpdate,
  openRegistryStore,
  type RegistryCounters,
  type RegistrySettings,
  type RegistryStore,
  type ThrottledLog,
} from "@phobos/registry";
import { parseRegistrationBody, RegistrationBodyError } from "./parse-body.js";

/** What the receiver did with registrations since it started, besides the store's own counters. */
export interface ReceiverCounters {
  /** Registration messages handled. */
  messages: number;
  /** Refused: a body of the wrong shape or a sender that is no identity. */
  refused: number;
  /** Stored without their facts, which were over `max_facts_size`. */
  factsDropped: number;
  /** Dropped because the database had not been opened yet. */
  notOpen: number;
  store: RegistryCounters | undefined;
}

export interface ReceiverOptions {
  /** Bytes (as JSON) a node's facts may take; larger ones are not stored. */
  maxFactsSize: number;
  /** Seconds between attempts to open a database that could not be opened. */
  reopenAfter?: number;
  now?: () => number;
}

/** Ruby's identity rule (Config#identity): what a senderid must look like to be a node's name. */
const IDENTITY = /^[\w.-]+$/;

/**
 * Turns registration messages into registry updates: identity from the
 * request's senderid, collective from the request, the rest from the body.
 * It never throws at the daemon: bad bodies and database trouble are
 * counted and logged once per cause per minute. A database that cannot be
 * opened at start is retried in the background; registrations that arrive
 * meanwhile are dropped and counted.
 */
export class RegistrationReceiver {
  #store: RegistryStore | undefined;
  #opening: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #throttled: ThrottledLog;
  readonly #counters = { messages: 0, refused: 0, factsDropped: 0, notOpen: 0 };
  #lastOpenError = "";

  constructor(
    private readonly settings: RegistrySettings,
    private readonly log: Logger,
    private readonly options: ReceiverOptions,
  ) {
    this.#throttled = createThrottledLog(log, { now: options.now });
  }

  /** Opens the database; on failure logs why and keeps retrying in the background. Resolves either way. */
  start(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  handle(payload: RubyValue, request: DecodedRequest): undefined {
    this.#counters.messages += 1;
    const sender = request.senderid;
    if (!IDENTITY.test(sender)) {
      this.#refuse(
        "bad-sender",
        `a registration's senderid ${JSON.stringify(sender.slice(0, 80))} is not an identity`,
      );
      return undefined;
    }
    let update: NodeUpdate;
    try {
      update = this.#updateFrom(payload, request);
    } catch (error) {
      if (!(error instanceof RegistrationBodyError)) throw error;
      this.#refuse(`body:${error.reason}`, `ignored the registration from ${sender}: ${error.message}`);
      return undefined;
    }
    if (this.#store === undefined) {
      this.#counters.notOpen += 1;
      this.#throttled.log(
        "warn",
        "not-open",
        `dropped the registration from ${sender}: the registry is not open (${this.#lastOpenError || "opening"}); ${this.#counters.notOpen} dropped so far`,
      );
      return undefined;
    }
    this.#store.record(update);
    return undefined;
  }

  /** Writes everything queued (for tests and shutdown). */
  async flush(): Promise<void> {
    await this.#store?.flush();
  }

  counters(): ReceiverCounters {
    return { ...this.#counters, store: this.#store?.counters() };
  }

  get store(): RegistryStore | undefined {
    return this.#store;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    await this.#opening;
    await this.#store?.close();
  }

  #updateFrom(payload: RubyValue, request: DecodedRequest): NodeUpdate {
    const body = parseRegistrationBody(payload);
    const update: NodeUpdate = {
      identity: request.senderid,
      collective: request.collective,
      source: body.source,
      agents: body.agents,
    };
    if (body.source === "meta") {
      update.classes = body.classes;
      update.collectives = body.collectives;
      update.version = body.version;
      if (body.facts !== undefined) {
        const size = Buffer.byteLength(JSON.stringify(body.facts));
        if (size > this.options.maxFactsSize) {
          this.#counters.factsDropped += 1;
          this.#throttled.log(
            "warn",
            "facts-too-large",
            `the facts of ${request.senderid} are ${size} bytes, over plugin.registration.max_facts_size (${this.options.maxFactsSize}): stored its agents, classes and collectives, kept the facts stored before; ${this.#counters.factsDropped} such so far`,
          );
        } else {
          update.facts = body.facts;
        }
      }
    }
    const listsSize = Buffer.byteLength(JSON.stringify([update.agents, update.classes, update.collectives]));
    if (listsSize > this.options.maxFactsSize) {
      throw new RegistrationBodyError(
        "too-large",
        `its agent, class and collective lists take ${listsSize} bytes, over plugin.registration.max_facts_size (${this.options.maxFactsSize})`,
      );
    }
    return update;
  }

  #refuse(cause: string, message: string): void {
    this.#counters.refused += 1;
    this.#throttled.log("warn", cause, `${message} (${this.#counters.refused} refused so far)`);
  }

  async #open(): Promise<void> {
    try {
      this.#store = await openRegistryStore(this.settings, this.log, { now: this.options.now });
      if (this.#lastOpenError !== "")
        this.log.info(`registry ${this.#store.describe()} open after all: storing registrations`);
      this.#lastOpenError = "";
      if (this.#closed) await this.#store.close();
    } catch (error) {
      this.#lastOpenError = (error as Error).message;
      const every = this.options.reopenAfter ?? 10;
      this.#throttled.log(
        "error",
        "open",
        `${this.#lastOpenError}; retrying every ${every} s, registrations are dropped until then`,
      );
      if (this.#closed) return;
      this.#retry = setTimeout(() => {
        this.#opening = this.#open();
      }, every * 1000);
      this.#retry.unref();
    }
  }
}
