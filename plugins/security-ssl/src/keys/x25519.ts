/**
 * Ed25519 keys double as X25519 keys for nacl box (the birational map from
 * the Edwards curve to its Montgomery form, as libsodium's
 * crypto_sign_ed25519_pk_to_curve25519 / _sk_to_curve25519 do), so one key
 * pair per peer signs and, when encryption is on, receives. The field
 * arithmetic is @noble/curves' (audited), not ours.
 */
import { ed25519 } from "@noble/curves/ed25519.js";

/** The X25519 public key of an Ed25519 public key; refuses bytes that are not a point on the curve. */
export function x25519PublicFromEd25519(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) {
    throw new Error(`an Ed25519 public key is 32 bytes, got ${publicKey.length}`);
  }
  try {
    return ed25519.utils.toMontgomery(publicKey);
  } catch (err) {
    throw new Error(`not a usable Ed25519 public key: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The X25519 secret of an Ed25519 seed: the clamped first half of
 * SHA-512(seed), byte for byte what libsodium derives.
 */
export function x25519SecretFromEd25519Seed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return ed25519.utils.toMontgomerySecret(seed);
}
