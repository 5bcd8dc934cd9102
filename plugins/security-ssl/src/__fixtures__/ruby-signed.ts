/**
 * A request signed the way Ruby MCollective 2.12's ssl client signs one
 * (security/ssl.rb `encoderequest`): the body is `{:ssl_msg, :ssl_ttl,
 * :ssl_msgtime}` in Marshal, and nothing else of the envelope is signed.
 * wire-vectors.test.ts shows Phobos's Marshal and signature are Ruby's bytes.
 */
import { dump, type RequestEnvelope, type RubyValue, requestEnvelopeToRuby, sym } from "@phobos/core";
import { encode64 } from "../base64.js";
import { readPrivateKey } from "../keys/key-files.js";

export function rubySignedRequest(
  request: RequestEnvelope,
  callerid: string,
  privatePath: string,
): Uint8Array {
  const body = dump(
    new Map<RubyValue, RubyValue>([
      [sym("ssl_msg"), request.body],
      [sym("ssl_ttl"), request.ttl],
      [sym("ssl_msgtime"), request.msgtime],
    ]),
  );
  const envelope = requestEnvelopeToRuby(request, callerid, body);
  envelope.set(sym("hash"), encode64(readPrivateKey(privatePath).sign(body)));
  return dump(envelope);
}
