import { createHash } from "node:crypto";
import {
  asEnvelope,
  defineSecurity,
  dump,
  envelopeBodyBytes,
  envelopeHash,
  load,
  type RubyValue,
  replyEnvelopeFromRuby,
  replyEnvelopeToRuby,
  requestEnvelopeFromRuby,
  requestEnvelopeToRuby,
  SecurityError,
  sym,
} from "@phobos/core";

/** psk's scheme with a fixed secret: enough security to tell a bad hash from garbage. */
export const SECRET = "server-test-secret";
const md5 = (body: Uint8Array) => createHash("md5").update(body).update(SECRET).digest("hex");

function open(bytes: Uint8Array): { envelope: Map<RubyValue, RubyValue>; payload: RubyValue } {
  let envelope: Map<RubyValue, RubyValue>;
  let body: Uint8Array;
  let hash: string;
  try {
    envelope = asEnvelope(load(bytes));
    body = envelopeBodyBytes(envelope);
    hash = envelopeHash(envelope);
  } catch (err) {
    throw new SecurityError("malformed", `not an envelope: ${(err as Error).message}`, { cause: err });
  }
  if (md5(body) !== hash)
    throw new SecurityError("invalid-signature", "Received an invalid signature in message");
  try {
    return { envelope, payload: load(body) };
  } catch (err) {
    throw new SecurityError("malformed", `the signed body is not valid Marshal: ${(err as Error).message}`, {
      cause: err,
      verified: true,
    });
  }
}

export default defineSecurity({
  name: "md5",
  create: () => ({
    callerId: () => "uid=500",
    encodeRequest(request) {
      const body = dump(request.body);
      const envelope = requestEnvelopeToRuby(request, "uid=500", body);
      envelope.set(sym("hash"), md5(body));
      return dump(envelope);
    },
    decodeRequest(bytes) {
      const { envelope, payload } = open(bytes);
      try {
        return requestEnvelopeFromRuby(envelope, payload);
      } catch (err) {
        throw new SecurityError("malformed", (err as Error).message, { cause: err, verified: true });
      }
    },
    encodeReply(reply) {
      const body = dump(reply.body);
      const envelope = replyEnvelopeToRuby(reply, body);
      envelope.set(sym("hash"), md5(body));
      return dump(envelope);
    },
    decodeReply(bytes) {
      const { envelope, payload } = open(bytes);
      return replyEnvelopeFromRuby(envelope, payload);
    },
  }),
});
