import { createHash, randomBytes } from "node:crypto";

const DNS_NAMESPACE = Buffer.from("6ba7b8109dad11d180b400c04fd430c8", "hex");

/**
 * A request id as MCollective makes them (`SSL.uuid` with the dashes removed):
 * a version-5 UUID over 16 random bytes, 32 lowercase hex characters. Ruby
 * daemons only compare ids, but keeping the shape keeps log greps working.
 */
export function createRequestId(): string {
  const name = randomBytes(16).toString("hex");
  const bytes = createHash("sha1").update(DNS_NAMESPACE).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  return bytes.toString("hex");
}
