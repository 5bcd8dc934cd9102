import { MalformedMessageError } from "@phobos/errors";
import { RubyString, type RubyValue, sym } from "@phobos/ruby";
import type { Filter } from "./filter.js";
import { filterFromRuby, filterToRuby } from "./filter-codec.js";

/** What a security plugin signs for a request: the fields of MCollective's request Hash. */
export interface RequestEnvelope {
  senderid: string;
  requestid: string;
  filter: Filter;
  collective: string;
  agent: string;
  ttl: number;
  /** Epoch seconds when the request was created. */
  msgtime: number;
  /** The payload: `"ping"` for discovery, a SimpleRPC request Hash otherwise. */
  body: RubyValue;
}

export interface DecodedRequest extends RequestEnvelope {
  callerid: string;
  /**
   * What the signature covers that tells this request from every other its
   * signer sent (ssl: the signed body and the caller), whatever its request
   * id says. Core refuses a second request with the same key for as long as
   * the first could still be valid. Undefined when the plugin signs nothing
   * that does (psk signs the payload alone, which repeats): core then keys
   * on the request id, which a forger can change.
   */
  replayKey?: string;
}

export interface ReplyEnvelope {
  senderid: string;
  requestid: string;
  senderagent: string;
  msgtime: number;
  body: RubyValue;
}

/**
 * The outer envelope every security plugin signs, in MCollective's key order
 * (Security::Base#create_request / #create_reply, then `:hash` last). The
 * payload arrives here already serialized: plugins decide the serializer and
 * what the hash or signature covers.
 */
export function requestEnvelopeToRuby(
  request: RequestEnvelope,
  callerid: string,
  serializedBody: Uint8Array,
): Map<RubyValue, RubyValue> {
  return new Map<RubyValue, RubyValue>([
    [sym("body"), Buffer.from(serializedBody.buffer, serializedBody.byteOffset, serializedBody.byteLength)],
    [sym("senderid"), request.senderid],
    [sym("requestid"), request.requestid],
    [sym("filter"), filterToRuby(request.filter)],
    [sym("collective"), request.collective],
    [sym("agent"), request.agent],
    [sym("callerid"), callerid],
    [sym("ttl"), request.ttl],
    [sym("msgtime"), request.msgtime],
  ]);
}

export function replyEnvelopeToRuby(
  reply: ReplyEnvelope,
  serializedBody: Uint8Array,
): Map<RubyValue, RubyValue> {
  return new Map<RubyValue, RubyValue>([
    [sym("senderid"), reply.senderid],
    [sym("requestid"), reply.requestid],
    [sym("senderagent"), reply.senderagent],
    [sym("msgtime"), reply.msgtime],
    [sym("body"), Buffer.from(serializedBody.buffer, serializedBody.byteOffset, serializedBody.byteLength)],
  ]);
}

function get(map: Map<RubyValue, RubyValue>, key: string): RubyValue | undefined {
  return map.has(sym(key)) ? map.get(sym(key)) : map.get(key);
}

function str(map: Map<RubyValue, RubyValue>, key: string): string {
  const v = get(map, key);
  if (typeof v === "string") return v;
  if (v instanceof RubyString) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  throw new MalformedMessageError(`envelope :${key} is missing or not a String`);
}

function int(map: Map<RubyValue, RubyValue>, key: string): number {
  const v = get(map, key);
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return Number(v);
  throw new MalformedMessageError(`envelope :${key} is missing or not an Integer`);
}

/** The serialized payload bytes exactly as received: what hashes and signatures cover. */
export function envelopeBodyBytes(map: Map<RubyValue, RubyValue>): Uint8Array {
  const v = get(map, "body");
  if (v instanceof Uint8Array) return v;
  if (v instanceof RubyString) return v.bytes;
  // A peer that tagged the body with an encoding: its bytes are the UTF-8 of the text.
  if (typeof v === "string") return Buffer.from(v, "utf8");
  throw new MalformedMessageError("envelope :body is missing or not a String");
}

/** The `:hash` (psk digest or ssl signature) as sent. */
export function envelopeHash(map: Map<RubyValue, RubyValue>): string {
  return str(map, "hash");
}

export function asEnvelope(value: RubyValue): Map<RubyValue, RubyValue> {
  if (!(value instanceof Map)) throw new MalformedMessageError("message is not a Hash envelope");
  return value;
}

/** Request fields other than the payload, checked for shape; `body` is filled in by the caller. */
export function requestEnvelopeFromRuby(map: Map<RubyValue, RubyValue>, body: RubyValue): DecodedRequest {
  return {
    senderid: str(map, "senderid"),
    requestid: str(map, "requestid"),
    filter: filterFromRuby(get(map, "filter")),
    collective: str(map, "collective"),
    agent: str(map, "agent"),
    callerid: str(map, "callerid"),
    ttl: int(map, "ttl"),
    msgtime: int(map, "msgtime"),
    body,
  };
}

export function replyEnvelopeFromRuby(map: Map<RubyValue, RubyValue>, body: RubyValue): ReplyEnvelope {
  return {
    senderid: str(map, "senderid"),
    requestid: str(map, "requestid"),
    senderagent: str(map, "senderagent"),
    msgtime: int(map, "msgtime"),
    body,
  };
}

/** MCollective's callerid rule: `uid=500`, `cert=alice`; anything else may be a forgery. */
export function isValidCallerId(callerid: string): boolean {
  return /^\w+=[\w.-]+$/.test(callerid);
}
