/**
 * Ed25519 keys double as X25519 keys for nacl box (the birational map from
 * the Edwards curve to its Montgomery form, as libsodium's
 * crypto_sign_ed25519_pk_to_curve25519 does), so one key pair per peer signs
 * and, when encryption is on, receives.
 */
import nacl from "tweetnacl";

const P = 2n ** 255n - 19n;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** u = (1 + y) / (1 − y) mod p, from the y coordinate the public key encodes. */
export function x25519PublicFromEd25519(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(publicKey[i] as number);
  y &= (1n << 255n) - 1n;
  const denominator = (((1n - y) % P) + P) % P;
  if (denominator === 0n) throw new Error("not a usable Ed25519 public key");
  let u = ((1n + y) * modPow(denominator, P - 2n)) % P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** The X25519 secret of an Ed25519 seed: the first half of SHA-512(seed) (scalarmult clamps it). */
export function x25519SecretFromEd25519Seed(seed: Uint8Array): Uint8Array {
  return nacl.hash(seed).slice(0, 32);
}
