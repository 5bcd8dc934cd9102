/**
 * Key pairs in the files the ssl plugin reads: PEM, PKCS#8 private keys and
 * SPKI public keys, exactly what `openssl genrsa` and `openssl rsa -pubout`
 * write for RSA (OpenSSL 3) and `openssl genpkey -algorithm ed25519` for
 * Ed25519. Private keys are written readable by their owner only.
 */
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { KeyType } from "../keys/key-files.js";

export interface GeneratedKeyPair {
  type: KeyType;
  privatePem: string;
  publicPem: string;
}

export interface KeyPairFiles {
  privatePath: string;
  publicPath: string;
}

/** OpenSSL 3's `genrsa` default. MCollective's docs said 1024, which is too small today. */
export const DEFAULT_RSA_BITS = 2048;

export function generateKeyPair(type: KeyType, options: { bits?: number } = {}): GeneratedKeyPair {
  if (type === "ed25519") {
    const pair = generateKeyPairSync("ed25519", {
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    return { type, privatePem: pair.privateKey, publicPem: pair.publicKey };
  }
  const bits = options.bits ?? DEFAULT_RSA_BITS;
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) {
    throw new RangeError(`RSA keys must have 2048 to 16384 bits, not ${bits}`);
  }
  const pair = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicExponent: 65537,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { type, privatePem: pair.privateKey, publicPem: pair.publicKey };
}

/** Writes both files; an existing file is an error unless `force`. */
export function writeKeyPair(
  pair: GeneratedKeyPair,
  files: KeyPairFiles,
  options: { force?: boolean } = {},
): void {
  const flag = options.force ? "w" : "wx";
  mkdirSync(dirname(files.privatePath), { recursive: true, mode: 0o700 });
  mkdirSync(dirname(files.publicPath), { recursive: true });
  writeFileSync(files.privatePath, pair.privatePem, { mode: 0o600, flag });
  chmodSync(files.privatePath, 0o600);
  writeFileSync(files.publicPath, pair.publicPem, { mode: 0o644, flag });
}
