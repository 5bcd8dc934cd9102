/**
 * What a client reads its node list from when discovery is `stdin`: text,
 * a stream (process.stdin for mco), or a function that reads it. Whatever
 * the source, it is read once, on first use: a client that never uses stdin
 * discovery never waits on an input that may not end.
 */
import { readStdin } from "./stdin.js";

export type ClientInput = string | AsyncIterable<string | Uint8Array> | (() => Promise<string>);

async function drain(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** `read` run on the first call only; every call gets that one result. */
function once(read: () => Promise<string>): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => {
    text ??= read();
    return text;
  };
}

/** A reader that reads `input` on its first call and returns the same text after. */
export function readInputOnce(input: ClientInput): () => Promise<string> {
  if (typeof input === "string") return () => Promise.resolve(input);
  // process.stdin goes through the shared read, which mco's stdin checks and answers use too.
  if (input === process.stdin) return readStdin;
  if (typeof input === "function") return once(input);
  if (input === null || typeof input !== "object" || !(Symbol.asyncIterator in input)) {
    throw new TypeError(
      `stdin must be text, a readable stream or a function returning text, not ${input === null ? "null" : typeof input}`,
    );
  }
  return once(() => drain(input));
}
