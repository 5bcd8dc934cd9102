/**
 * The Ed25519 → X25519 map against fixed vectors: libsodium's own
 * (test/default/ed25519_convert.exp) and two RFC 8032 seeds whose expected
 * values were produced by the hand-written BigInt map this module used
 * before, so the switch to @noble/curves provably changed no box key.
 */
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { x25519PublicFromEd25519, x25519SecretFromEd25519Seed } from "./x25519.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytes = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

const VECTORS = [
  {
    name: "libsodium ed25519_convert",
    seed: "421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee",
    edPublic: "b5076a8474a832daee4dd5b4040983b6623b5f344aca57d4d6ee4baf3f259e6e",
    xPublic: "f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50",
    xSecret: "8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166",
  },
  {
    name: "RFC 8032 test 1",
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    edPublic: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    xPublic: "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e",
    xSecret: "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f",
  },
  {
    name: "all-zero seed",
    seed: "0000000000000000000000000000000000000000000000000000000000000000",
    edPublic: "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
    xPublic: "5bf55c73b82ebe22be80f3430667af570fae2556a6415e6b30d4065300aa947d",
    xSecret: "5046adc1dba838867b2bbbfdd0c3423e58b57970b5267a90f57960924a87f156",
  },
];

describe("Ed25519 → X25519", () => {
  for (const vector of VECTORS) {
    it(`maps the ${vector.name} key pair to the expected X25519 pair`, () => {
      const seed = bytes(vector.seed);
      expect(hex(nacl.sign.keyPair.fromSeed(seed).publicKey)).toBe(vector.edPublic);
      expect(hex(x25519PublicFromEd25519(bytes(vector.edPublic)))).toBe(vector.xPublic);
      const secret = x25519SecretFromEd25519Seed(seed);
      expect(hex(secret)).toBe(vector.xSecret);
      expect(hex(nacl.scalarMult.base(secret))).toBe(vector.xPublic);
    });
  }

  it("gives two converted key pairs the same nacl box shared key", () => {
    const [a, b] = VECTORS.map((v) => ({
      secret: x25519SecretFromEd25519Seed(bytes(v.seed)),
      public: x25519PublicFromEd25519(bytes(v.edPublic)),
    }));
    if (!a || !b) throw new Error("two vectors expected");
    expect(hex(nacl.box.before(b.public, a.secret))).toBe(hex(nacl.box.before(a.public, b.secret)));
  });

  it("refuses a public key of the wrong length, naming it", () => {
    expect(() => x25519PublicFromEd25519(new Uint8Array(31))).toThrow(
      "an Ed25519 public key is 32 bytes, got 31",
    );
    expect(() => x25519SecretFromEd25519Seed(new Uint8Array(33))).toThrow(
      "an Ed25519 seed is 32 bytes, got 33",
    );
  });

  it("refuses 32 bytes that are not a point on the curve", () => {
    // y = 2 has no x on edwards25519 (x² = (y²−1)/(d·y²+1) is not a square mod p).
    const notOnCurve = new Uint8Array(32);
    notOnCurve[0] = 2;
    expect(() => x25519PublicFromEd25519(notOnCurve)).toThrow(/^not a usable Ed25519 public key: /);
  });
});
