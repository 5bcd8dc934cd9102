import {
  asString,
  type FactValue,
  hashGet,
  inspect,
  PhobosError,
  RubyFloat,
  type RubyValue,
} from "@phobos/core";
import { normalizeFacts } from "@phobos/server";

/** What a registration message said, before it is stored. */
export type Registration =
  /** Ruby's default `agentlist` plugin: the bare agent list. */
  | { source: "agentlist"; agents: string[] }
  /** The community `meta` plugin (and Phobos' own): a Hash; absent keys keep what is stored. */
  | {
      source: "meta";
      agents?: string[];
      facts?: Record<string, FactValue>;
      classes?: string[];
      collectives?: string[];
      version?: string;
    };

/** A registration body the receiver cannot use; the message names what was wrong. */
export class RegistrationBodyError extends PhobosError {
  /** What kind of wrong (`body-type`, `list-item`, …): the receiver logs each kind once a minute. */
  readonly reason: string;

  constructor(reason: string, message: string) {
    super("REGISTRATION_BODY", message);
    this.reason = reason;
  }
}

const META_KEYS = ["agentlist", "facts", "classes", "collectives", "version"] as const;

/**
 * Reads a `registration` message body as MCollective's senders make it:
 * an Array of agent names (`agentlist`), or a Hash with `agentlist`,
 * `facts`, `classes`, `collectives` (and Phobos' `version`) under Symbol or
 * String keys (`meta`). Facts are normalized as a node's own are (leaf
 * values become Strings), so a fact filter answered from the registry
 * matches what the node would match.
 */
export function parseRegistrationBody(body: RubyValue): Registration {
  if (Array.isArray(body)) return { source: "agentlist", agents: stringList(body, "the agent list") };
  if (!(body instanceof Map)) {
    throw new RegistrationBodyError(
      "body-type",
      `a registration body is an Array of agent names or a meta Hash, got ${describeValue(body)}`,
    );
  }
  if (!META_KEYS.some((key) => hashGet(body, key) !== undefined)) {
    throw new RegistrationBodyError(
      "meta-keys",
      `a registration Hash has none of ${META_KEYS.map((k) => `:${k}`).join(", ")}: got ${describeValue(body)}`,
    );
  }
  const result: Registration = { source: "meta" };
  const agents = present(hashGet(body, "agentlist"));
  if (agents !== undefined) result.agents = stringList(agents, ":agentlist");
  const classes = present(hashGet(body, "classes"));
  if (classes !== undefined) result.classes = stringList(classes, ":classes");
  const collectives = present(hashGet(body, "collectives"));
  if (collectives !== undefined) result.collectives = stringList(collectives, ":collectives");
  const facts = present(hashGet(body, "facts"));
  if (facts !== undefined) {
    if (!(facts instanceof Map))
      throw new RegistrationBodyError("facts-type", `:facts is a Hash, got ${describeValue(facts)}`);
    result.facts = normalizeFacts(facts) as Record<string, FactValue>;
  }
  const version = present(hashGet(body, "version"));
  if (version !== undefined) {
    const text = asString(version);
    if (text === undefined)
      throw new RegistrationBodyError("version-type", `:version is a String, got ${describeValue(version)}`);
    result.version = text;
  }
  return result;
}

/** nil stands for an absent key: Ruby's meta plugin sends `:classes => nil` without a classes file. */
function present(value: RubyValue | undefined): RubyValue | undefined {
  return value === null ? undefined : value;
}

function stringList(value: RubyValue, what: string): string[] {
  if (!Array.isArray(value))
    throw new RegistrationBodyError(
      "list-type",
      `${what} is an Array of Strings, got ${describeValue(value)}`,
    );
  return value.map((item, i) => {
    const text = asString(item) ?? (typeof item === "symbol" ? item.description : undefined);
    if (text === undefined) {
      throw new RegistrationBodyError(
        "list-item",
        `item ${i} of ${what} is ${describeValue(item)}, not a String`,
      );
    }
    return text;
  });
}

/** `String "hello"`, `Integer 42`, `Hash {:a=>1, …}`: the Ruby class and a short inspect. */
export function describeValue(value: RubyValue): string {
  return `${rubyClassName(value)} ${inspect(value, { maxLength: 80 })}`;
}

function rubyClassName(value: RubyValue): string {
  if (value === null) return "nil";
  if (Array.isArray(value)) return "Array";
  if (value instanceof Map) return "Hash";
  if (value instanceof RubyFloat) return "Float";
  switch (typeof value) {
    case "string":
      return "String";
    case "number":
      return Number.isInteger(value) ? "Integer" : "Float";
    case "bigint":
      return "Integer";
    case "boolean":
      return value ? "TrueClass" : "FalseClass";
    case "symbol":
      return "Symbol";
  }
  if (value instanceof Uint8Array || asString(value) !== undefined) return "String";
  const className = (value as { className?: unknown }).className;
  return typeof className === "string" ? className : value.constructor.name;
}
