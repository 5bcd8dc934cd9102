import { createHash } from "node:crypto";
import {
  asEnvelope,
  ConfigError,
  type DecodedRequest,
  defineSecurity,
  dump,
  envelopeBodyBytes,
  envelopeHash,
  filterToRuby,
  hashGet,
  type PluginContext,
  type ReplyEnvelope,
  type RequestEnvelope,
  type RubyValue,
  replyEnvelopeFromRuby,
  replyEnvelopeToRuby,
  requestEnvelopeFromRuby,
  requestEnvelopeToRuby,
  SecurityError,
  type SecurityProvider,
  sym,
} from "@phobos/core";
import { decode64, encode64 } from "./base64.js";
import { isBoxed, open, seal } from "./box.js";
import type { PublicKey } from "./keys/key-files.js";
import { readSslSettings, type SslSettings } from "./ssl-settings.js";

const INVALID_SIGNATURE = "Received an invalid signature in message";

const describe = (envelope: Map<RubyValue, RubyValue>) => {
  const text = (key: string) => {
    const v = hashGet(envelope, key);
    return typeof v === "string" ? v : v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : "?";
  };
  return `${text("requestid")} from ${text("callerid")}@${text("senderid")}`;
};

/**
 * The envelope fields Phobos clients also sign, inside the body beside
 * `:ssl_ttl` and `:ssl_msgtime`: a daemon refuses a request whose envelope
 * says otherwise. Ruby MCollective signs none of them and its daemons take
 * only `:ssl_msg` out of the body, so they ignore these keys. The request id
 * makes every signed body unique, so two identical requests sent within
 * the same second are still two requests, not a request and its replay.
 */
const SIGNED_FIELDS = [
  ["ssl_requestid", "requestid"],
  ["ssl_filter", "filter"],
  ["ssl_agent", "agent"],
  ["ssl_collective", "collective"],
] as const;

/** Two loaded values are the same Ruby value when Marshal writes them alike. */
function sameValue(a: RubyValue | undefined, b: RubyValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return Buffer.from(dump(a)).equals(Buffer.from(dump(b)));
  } catch {
    return false;
  }
}

/** Ruby's Integer#== across our two Integer forms (number, bigint). */
function sameInteger(a: RubyValue | undefined, b: RubyValue | undefined): boolean {
  const int = (v: RubyValue | undefined) =>
    typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;
  const x = int(a);
  return x !== undefined && x === int(b);
}

/**
 * MCollective's ssl security plugin. A client signs each request body with
 * its own private key (RSA PKCS#1 v1.5 over SHA-1, base64 in `:hash`) and
 * calls itself `cert=<name of its public key file>`; daemons verify with the
 * caller's public key from `plugin.ssl_client_cert_dir` and sign replies with
 * the servers' shared key, which clients verify with `plugin.ssl_server_public`.
 * The request's ttl and msgtime travel inside the signed body
 * (`{:ssl_msg, :ssl_ttl, :ssl_msgtime}`), so a relayed message cannot be
 * given a new lease of life. Phobos clients sign the request id, filter,
 * agent and collective there too (see SIGNED_FIELDS); a caller with an
 * Ed25519 key (Phobos only) must. Ed25519 keys sign the same way; with
 * them, `plugin.ssl.encrypt = 1` also boxes every body.
 */
function createSsl(ctx: PluginContext): SecurityProvider {
  const settings = readSslSettings(ctx);
  const { serializer } = settings;

  const parse = (bytes: Uint8Array, what: string): Map<RubyValue, RubyValue> => {
    try {
      return asEnvelope(serializer.load(bytes));
    } catch (err) {
      throw new SecurityError(
        "malformed",
        `${what} is not a MCollective ${serializer.name} envelope: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  };

  const signed = (envelope: Map<RubyValue, RubyValue>, key: PublicKey): Uint8Array => {
    let body: Uint8Array;
    let hash: string;
    try {
      body = envelopeBodyBytes(envelope);
      hash = envelopeHash(envelope);
    } catch (err) {
      throw new SecurityError("malformed", (err as Error).message, { cause: err });
    }
    const signature = decode64(hash);
    if (signature === undefined || !key.verify(body, signature)) {
      throw new SecurityError(
        "invalid-signature",
        `${INVALID_SIGNATURE} ${describe(envelope)} (checked with ${key.path})`,
      );
    }
    return body;
  };

  /** The serialized payload inside a verified body, opening its box when it has one. */
  const unbox = (body: Uint8Array, envelope: Map<RubyValue, RubyValue>): Uint8Array => {
    if (!isBoxed(body)) {
      if (settings.encrypt && settings.mode === "server") {
        throw new SecurityError(
          "malformed",
          `Message ${describe(envelope)} is not encrypted but plugin.ssl.encrypt = 1 here: every peer must encrypt`,
          { verified: true },
        );
      }
      return body;
    }
    const secret = settings.signer.boxSecretKey;
    const opened = secret === undefined ? undefined : open(body, secret);
    if (opened === undefined) {
      throw new SecurityError(
        "malformed",
        `Message ${describe(envelope)} is encrypted for a key this ${settings.mode} does not hold${secret === undefined ? " (its key is not Ed25519)" : ""}`,
        { verified: true },
      );
    }
    return opened;
  };

  const payloadOf = (plain: Uint8Array, envelope: Map<RubyValue, RubyValue>): RubyValue => {
    try {
      return serializer.load(plain);
    } catch (err) {
      throw new SecurityError(
        "malformed",
        `the signed body of ${describe(envelope)} does not load: ${(err as Error).message}`,
        {
          cause: err,
          verified: true,
        },
      );
    }
  };

  const sign = (envelope: Map<RubyValue, RubyValue>, body: Uint8Array): Uint8Array => {
    envelope.set(sym("hash"), encode64(settings.signer.sign(body)));
    return serializer.dump(envelope);
  };

  const callerId = (): string => {
    if (settings.callerId instanceof ConfigError) throw settings.callerId;
    return settings.callerId;
  };

  /**
   * Security::Ssl#update_secure_property for ttl and msgtime: the signed
   * values replace the envelope's, and a difference means the envelope was
   * edited in transit.
   */
  const secureProperties = (
    envelope: Map<RubyValue, RubyValue>,
    payload: RubyValue,
    key: PublicKey,
  ): RubyValue => {
    const request = describe(envelope);
    if (!(payload instanceof Map)) {
      if (settings.enforceTtl) {
        throw new SecurityError(
          "malformed",
          `Message ${request} is in an unknown or older security protocol (its ttl and msgtime are not signed), ignoring`,
          { verified: true },
        );
      }
      ctx.log.warn(`Message ${request} is in an older security protocol: its ttl and msgtime are not signed`);
      return payload;
    }
    for (const [secure, plain, description] of [
      ["ssl_ttl", "ttl", "TTL"],
      ["ssl_msgtime", "msgtime", "Message Time"],
    ] as const) {
      const has = payload.has(sym(secure));
      const value = payload.get(sym(secure));
      const given = hashGet(envelope, plain);
      const same = has && sameInteger(value, given);
      if (!has || !same) {
        const problem = has
          ? `Request ${request} ${description} does not match encrypted ${description} - possible tampering`
          : `Request ${request} does not have a secure ${description}`;
        if (settings.enforceTtl) throw new SecurityError("invalid-signature", problem);
        ctx.log.warn(problem);
      }
      if (has) envelope.set(sym(plain), value ?? null);
      payload.delete(sym(secure));
    }
    const unsigned: string[] = [];
    for (const [secure, plain] of SIGNED_FIELDS) {
      if (!payload.has(sym(secure))) {
        unsigned.push(plain);
        continue;
      }
      const value = payload.get(sym(secure)) ?? null;
      if (!sameValue(value, hashGet(envelope, plain))) {
        const problem = `Request ${request} ${plain} does not match the signed ${plain} - possible tampering`;
        if (settings.enforceTtl) throw new SecurityError("invalid-signature", problem);
        ctx.log.warn(problem);
      }
      envelope.set(sym(plain), value);
      payload.delete(sym(secure));
    }
    // Every Ed25519 client is Phobos, which signs them all: a request that
    // does not was made by something else, or edited before it was signed.
    if (key.type === "ed25519" && unsigned.length > 0) {
      const problem = `Request ${request} is signed with an Ed25519 key but its ${unsigned.join(", ")} ${unsigned.length === 1 ? "is" : "are"} not signed (a Phobos client older than this daemon?)`;
      if (settings.enforceTtl) throw new SecurityError("invalid-signature", problem);
      ctx.log.warn(problem);
    }
    const message = payload.has(sym("ssl_msg")) ? (payload.get(sym("ssl_msg")) ?? null) : payload;
    // The envelope's :agent picks the agent but is not signed; a SimpleRPC
    // body names it too, and MCollective's clients always make them agree.
    const signedAgent = hashGet(message, "agent");
    const agent = hashGet(envelope, "agent");
    if (signedAgent !== undefined && typeof signedAgent === "string" && signedAgent !== agent) {
      const problem = `Request ${request} is for agent '${String(agent)}' but its signed body is for '${signedAgent}' - possible tampering`;
      if (settings.enforceTtl) throw new SecurityError("invalid-signature", problem);
      ctx.log.warn(problem);
    }
    return message;
  };

  return {
    callerId,

    encodeRequest(request: RequestEnvelope) {
      const wrapped = new Map<RubyValue, RubyValue>([
        [sym("ssl_msg"), request.body],
        [sym("ssl_ttl"), request.ttl],
        [sym("ssl_msgtime"), request.msgtime],
        [sym("ssl_requestid"), request.requestid],
        [sym("ssl_filter"), filterToRuby(request.filter)],
        [sym("ssl_agent"), request.agent],
        [sym("ssl_collective"), request.collective],
      ]);
      let body = serializer.dump(wrapped);
      if (settings.encrypt) {
        const recipient =
          settings.mode === "client"
            ? settings.serverPublic?.boxPublicKey
            : settings.signer.publicKey.boxPublicKey;
        if (recipient === undefined) throw new ConfigError("plugin.ssl.encrypt = 1 needs Ed25519 keys");
        body = seal(body, recipient);
      }
      const envelope = requestEnvelopeToRuby(request, callerId(), body);
      envelope.set(sym("body"), serializer.bodyValue(body));
      return sign(envelope, body);
    },

    decodeRequest(bytes: Uint8Array): DecodedRequest {
      const envelope = parse(bytes, "request");
      let key: PublicKey;
      if (settings.clientKeys) {
        const callerid = hashGet(envelope, "callerid");
        const found = settings.clientKeys.lookup(typeof callerid === "string" ? callerid : String(callerid));
        if (!found.found)
          throw new SecurityError(found.reason, `${found.message} (request ${describe(envelope)})`);
        key = found.key;
      } else if (settings.serverPublic) {
        key = settings.serverPublic;
      } else {
        throw new SecurityError("unknown-caller", "no key to verify requests with");
      }
      const body = signed(envelope, key);
      let payload = payloadOf(unbox(body, envelope), envelope);
      if (settings.mode === "server") payload = secureProperties(envelope, payload, key);
      try {
        const request = requestEnvelopeFromRuby(envelope, payload);
        // The signed bytes, not the signature: a scheme may accept a second
        // signature of the same bytes (Ed25519's malleable S), and the same
        // bytes from another caller are that caller's own request.
        request.replayKey = createHash("sha256")
          .update(`${request.callerid}\0`)
          .update(body)
          .digest("base64url");
        return request;
      } catch (err) {
        throw new SecurityError("malformed", (err as Error).message, { cause: err, verified: true });
      }
    },

    encodeReply(reply: ReplyEnvelope, request: DecodedRequest) {
      let body = serializer.dump(reply.body);
      if (settings.encrypt) {
        const found = settings.clientKeys?.lookup(request.callerid);
        const recipient = found?.found ? found.key.boxPublicKey : undefined;
        if (recipient === undefined) {
          throw new SecurityError(
            "unknown-caller",
            `Cannot encrypt the reply to ${request.callerid}: ${found && !found.found ? found.message : "its key is not Ed25519"}`,
          );
        }
        body = seal(body, recipient);
      }
      const envelope = replyEnvelopeToRuby(reply, body);
      envelope.set(sym("body"), serializer.bodyValue(body));
      return sign(envelope, body);
    },

    decodeReply(bytes: Uint8Array): ReplyEnvelope {
      const envelope = parse(bytes, "reply");
      const key = settings.serverPublic;
      if (key === undefined)
        throw new SecurityError("unknown-caller", "plugin.ssl_server_public is needed to verify replies");
      const body = signed(envelope, key);
      const payload = payloadOf(unbox(body, envelope), envelope);
      try {
        return replyEnvelopeFromRuby(envelope, payload);
      } catch (err) {
        throw new SecurityError("malformed", (err as Error).message, { cause: err });
      }
    },
  };
}

export type { SslSettings };

export default defineSecurity({
  name: "ssl",
  description:
    "Requests signed with each client's key (RSA or Ed25519), replies with the servers' key; optional nacl box encryption",
  settingsPrefixes: ["ssl_"],
  create: createSsl,
});
