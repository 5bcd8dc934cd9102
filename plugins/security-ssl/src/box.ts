/**
 * Optional encryption of message bodies for fleets where every peer is
 * Phobos (`plugin.ssl.encrypt = 1`): a nacl box (X25519, XSalsa20-Poly1305)
 * from a fresh key pair per message to the recipient's key — the servers'
 * shared key for requests, the caller's own key for replies. The boxed body
 * is ASCII text, so it travels in Marshal and YAML envelopes alike, and it is
 * what the signature covers: tampering is caught before anything is opened.
 */
import nacl from "tweetnacl";

export const BOX_PREFIX = "phobos.nacl-box.1:";
const PREFIX_BYTES = Buffer.from(BOX_PREFIX, "latin1");

export function isBoxed(body: Uint8Array): boolean {
  return body.length >= PREFIX_BYTES.length && PREFIX_BYTES.every((b, i) => body[i] === b);
}

export function seal(plain: Uint8Array, recipient: Uint8Array): Uint8Array {
  const ephemeral = nacl.box.keyPair();
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const sealed = nacl.box(plain, nonce, recipient, ephemeral.secretKey);
  const payload = Buffer.concat([ephemeral.publicKey, nonce, sealed]).toString("base64");
  return Buffer.from(`${BOX_PREFIX}${payload}`, "latin1");
}

/** The plain body, or undefined when the box is damaged or not for this key. */
export function open(body: Uint8Array, secretKey: Uint8Array): Uint8Array | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    .toString("latin1")
    .slice(BOX_PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const raw = Buffer.from(text, "base64");
  const head = nacl.box.publicKeyLength + nacl.box.nonceLength;
  if (raw.length < head + nacl.box.overheadLength) return undefined;
  const opened = nacl.box.open(
    raw.subarray(head),
    raw.subarray(nacl.box.publicKeyLength, head),
    raw.subarray(0, nacl.box.publicKeyLength),
    secretKey,
  );
  return opened ?? undefined;
}
