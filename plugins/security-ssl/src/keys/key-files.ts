/**
 * The key files of the ssl plugin: PEM as `openssl genrsa` / `openssl rsa
 * -pubout` write them (PKCS#8 or PKCS#1 private keys, SPKI public keys, or an
 * X.509 certificate whose public key is used, as MCollective::SSL accepts),
 * and Ed25519 keys in the same PEM containers (`openssl genpkey -algorithm
 * ed25519`). RSA signs with PKCS#1 v1.5 over SHA-1, as MCollective does;
 * Ed25519 signs with tweetnacl and can also open nacl boxes.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import nacl from "tweetnacl";
import { x25519PublicFromEd25519, x25519SecretFromEd25519Seed } from "./x25519.js";

export type KeyType = "rsa" | "ed25519";

export interface PublicKey {
  readonly type: KeyType;
  readonly path: string;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
  /** The X25519 key to seal boxes for this key's owner (Ed25519 keys only). */
  readonly boxPublicKey: Uint8Array | undefined;
}

export interface PrivateKey {
  readonly type: KeyType;
  readonly path: string;
  sign(data: Uint8Array): Uint8Array;
  /** The X25519 secret that opens boxes sealed for this key (Ed25519 keys only). */
  readonly boxSecretKey: Uint8Array | undefined;
  readonly publicKey: PublicKey;
}

/** A key file that is missing, unreadable or not a key Phobos can use. */
export class KeyFileError extends Error {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = "KeyFileError";
    this.path = path;
  }
}

function readPem(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyFileError(
      path,
      code === "ENOENT" ? `no such ${what}` : `cannot read the ${what}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (text.trim() === "") throw new KeyFileError(path, `the ${what} is empty`);
  return text;
}

function base64url(text: string | undefined, path: string): Buffer {
  if (text === undefined) throw new KeyFileError(path, "the Ed25519 key has no key material");
  return Buffer.from(text, "base64url");
}

function publicFromObject(object: KeyObject, path: string): PublicKey {
  const type = object.asymmetricKeyType;
  if (type === "rsa") {
    return {
      type,
      path,
      boxPublicKey: undefined,
      verify(data, signature) {
        try {
          return verify("sha1", data, object, signature);
        } catch {
          return false;
        }
      },
    };
  }
  if (type === "ed25519") {
    const raw = base64url(object.export({ format: "jwk" }).x, path);
    return {
      type,
      path,
      boxPublicKey: x25519PublicFromEd25519(raw),
      verify(data, signature) {
        return (
          signature.length === nacl.sign.signatureLength && nacl.sign.detached.verify(data, signature, raw)
        );
      },
    };
  }
  throw new KeyFileError(path, `a ${type ?? "unknown"} key: the ssl plugin uses RSA or Ed25519 keys`);
}

/** A public key (or a certificate, or a private key, whose public half is used). */
export function readPublicKey(path: string): PublicKey {
  const pem = readPem(path, "public key");
  let object: KeyObject;
  try {
    object = createPublicKey(pem);
  } catch (err) {
    throw new KeyFileError(path, `not a PEM public key or certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return publicFromObject(object, path);
}

export function readPrivateKey(path: string): PrivateKey {
  const pem = readPem(path, "private key");
  let object: KeyObject;
  try {
    object = createPrivateKey(pem);
  } catch (err) {
    const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(pem);
    throw new KeyFileError(
      path,
      encrypted
        ? "the private key is encrypted with a passphrase: the ssl plugin needs an unencrypted key (openssl pkey -in KEY -out KEY)"
        : `not a PEM private key: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const publicKey = publicFromObject(createPublicKey(object), path);
  if (object.asymmetricKeyType === "rsa") {
    return {
      type: "rsa",
      path,
      publicKey,
      boxSecretKey: undefined,
      sign: (data) => sign("sha1", data, object),
    };
  }
  const seed = base64url(object.export({ format: "jwk" }).d, path);
  const pair = nacl.sign.keyPair.fromSeed(seed);
  return {
    type: "ed25519",
    path,
    publicKey,
    boxSecretKey: x25519SecretFromEd25519Seed(seed),
    sign: (data) => nacl.sign.detached(data, pair.secretKey),
  };
}
