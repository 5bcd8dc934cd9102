/**
 * The process's stdin, read at most once and shared: mco looks at it to
 * decide whether piped data means stdin discovery (Ruby peeks with `eof?`),
 * and the stdin discovery plugin then reads the same text. The cache lives
 * on a `Symbol.for` slot so two copies of core agree on it.
 */

const SLOT = Symbol.for("phobos.client.stdin");

// Loaded on first use: every mco run imports the client, few read stdin.
const isatty = (fd: number) => process.getBuiltinModule("node:tty").isatty(fd);

type Holder = { [SLOT]?: Promise<string> };

async function readAll(): Promise<string> {
  if (isatty(0)) return "";
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  } catch {
    // A closed or unreadable stdin has nothing to offer.
    return "";
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Everything on stdin (empty for a terminal, /dev/null or a closed descriptor). */
export function readStdin(): Promise<string> {
  const holder = globalThis as Holder;
  holder[SLOT] ??= readAll();
  return holder[SLOT];
}

/**
 * The operator's answer to a question, as Ruby's applications read it with
 * `STDIN.gets`: a line typed at the terminal when stdin is one, else the
 * first line piped in; "" when there is none (end of input).
 */
export async function readAnswer(): Promise<string> {
  if (!isatty(0)) return ((await readStdin()).split("\n")[0] ?? "").replace(/\r$/, "");
  const rl = process
    .getBuiltinModule("node:readline")
    .createInterface({ input: process.stdin, terminal: false });
  try {
    return await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
  } finally {
    rl.close();
    // A paused terminal keeps no handle open, so mco still exits when done.
    process.stdin.pause();
  }
}
