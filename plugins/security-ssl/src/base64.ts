/**
 * Ruby's `Base64.encode64` (RFC 2045: 60 characters a line, each line ended
 * by `\n`), which is how MCollective writes the `:hash` signature, and the
 * check MCollective::SSL.base64_decode makes before decoding.
 */
export function encode64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64")
    .replace(/.{1,60}/g, "$&\n");
}

/**
 * The bytes of a base64 signature, or undefined when it is not canonical
 * base64 (line breaks and blanks aside). Ruby's decoder would also take a
 * shortened or unpadded text; every signer pads, so a text that is not whole
 * was cut short on the way.
 */
export function decode64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    return undefined;
  return Buffer.from(compact, "base64");
}
