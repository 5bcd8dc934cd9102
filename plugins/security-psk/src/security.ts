import { createHash, timingSafeEqual } from "node:crypto";
import {
  asEnvelope,
  ConfigError,
  type DecodedRequest,
  defineSecurity,
  dump,
  envelopeBodyBytes,
  envelopeHash,
  load,
  MarshalError,
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
import { pskCallerId } from "./caller-id.js";

/**
 * MCollective's psk plugin: the payload is Marshal-serialized and the
 * envelope's `:hash` is `md5(serialized payload + psk)` in hex. Verification
 * recomputes it over the bytes received, so peers need not serialize
 * identically — only share the secret.
 */
function createPsk(ctx: PluginContext): SecurityProvider {
  const secret = process.env.MCOLLECTIVE_PSK ?? ctx.settings.string("");
  if (secret === undefined) {
    throw new ConfigError("is not set: give the pre-shared key (or set MCOLLECTIVE_PSK)", {
      key: "plugin.psk",
    });
  }
  const callerId = pskCallerId(ctx.settings.string("callertype", "uid"), ctx.identity, ctx.user);
  const digest = (body: Uint8Array) => createHash("md5").update(body).update(secret).digest("hex");

  const decode = (bytes: Uint8Array, what: string): Map<RubyValue, RubyValue> => {
    try {
      return asEnvelope(load(bytes));
    } catch (err) {
      throw new SecurityError(
        "malformed",
        `${what} is not a MCollective envelope: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  };
  const verify = (envelope: Map<RubyValue, RubyValue>): RubyValue => {
    let body: Uint8Array;
    let hash: string;
    try {
      body = envelopeBodyBytes(envelope);
      hash = envelopeHash(envelope);
    } catch (err) {
      throw new SecurityError("malformed", (err as Error).message, { cause: err });
    }
    const expected = Buffer.from(digest(body));
    const given = Buffer.from(hash);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new SecurityError("invalid-signature", "Received an invalid signature in message");
    }
    try {
      return load(body);
    } catch (err) {
      if (err instanceof MarshalError) {
        throw new SecurityError("malformed", `the signed body is not valid Marshal: ${err.message}`, {
          cause: err,
          verified: true,
        });
      }
      throw err;
    }
  };
  const sign = (envelope: Map<RubyValue, RubyValue>, body: Uint8Array) => {
    envelope.set(sym("hash"), digest(body));
    return dump(envelope);
  };

  return {
    callerId: () => callerId,
    encodeRequest(request: RequestEnvelope) {
      const body = dump(request.body);
      return sign(requestEnvelopeToRuby(request, callerId, body), body);
    },
    encodeReply(reply: ReplyEnvelope) {
      const body = dump(reply.body);
      return sign(replyEnvelopeToRuby(reply, body), body);
    },
    decodeRequest(bytes: Uint8Array): DecodedRequest {
      const envelope = decode(bytes, "request");
      const payload = verify(envelope);
      try {
        return requestEnvelopeFromRuby(envelope, payload);
      } catch (err) {
        throw new SecurityError("malformed", (err as Error).message, { cause: err, verified: true });
      }
    },
    decodeReply(bytes: Uint8Array): ReplyEnvelope {
      const envelope = decode(bytes, "reply");
      const payload = verify(envelope);
      try {
        return replyEnvelopeFromRuby(envelope, payload);
      } catch (err) {
        throw new SecurityError("malformed", (err as Error).message, { cause: err, verified: true });
      }
    },
  };
}

export default defineSecurity({
  name: "psk",
  description: "Pre-shared key: md5(serialized body + psk), as MCollective 2.12",
  create: createPsk,
});
