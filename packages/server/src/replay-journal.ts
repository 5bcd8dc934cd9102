/**
 * The replay cache on disk, so a daemon restarted within a request's ttl
 * still refuses a copy of it. One line per accepted request, appended with a
 * single write before the request runs (a crash right after cannot forget
 * it); the file is rewritten (temp file, fsync, rename, fsync of the
 * directory) with the live entries only when expired lines outnumber them,
 * so a power cut leaves either the old file or the new one. A torn or
 * foreign line is skipped on loading, never fatal.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

export const JOURNAL_HEADER = "phobos-replay-journal 1";

export interface JournalEntry {
  /** A digest of the request's replay key (base64url): the file never holds message text. */
  digest: string;
  /** Epoch seconds when the request was accepted. */
  firstSeen: number;
  /** Epoch seconds after which the request is refused as expired anyway. */
  expiresAt: number;
}

const LINE = /^(\d{1,15}) (\d{1,15}) ([A-Za-z0-9_-]{43})$/;

export interface JournalLoad {
  /** Entries still inside their window, oldest first. */
  entries: JournalEntry[];
  /** Lines that were neither an entry nor the header (a torn last write, another program's file). */
  skipped: number;
  /** True when the file did not exist yet. */
  created: boolean;
}

export class ReplayJournal {
  readonly path: string;
  #fd: number;
  /** Lines in the file now, to decide when a rewrite pays. */
  #lines = 0;

  private constructor(path: string, fd: number, lines: number) {
    this.path = path;
    this.#fd = fd;
    this.#lines = lines;
  }

  /**
   * Opens (creating its directory, mode 0700, and the file, mode 0600) and
   * reads the journal at `path`; the live entries are written back at once,
   * so a file full of expired lines does not outlive a restart.
   */
  static open(path: string, now: number): { journal: ReplayJournal; load: JournalLoad } {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    let text: string | undefined;
    try {
      text = readFileSync(path, "latin1");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const entries: JournalEntry[] = [];
    let skipped = 0;
    if (text !== undefined) {
      const lines = text.split("\n");
      // A file that ends with a line break has an empty last piece: not a line.
      if (lines[lines.length - 1] === "") lines.pop();
      for (const line of lines) {
        if (line === JOURNAL_HEADER) continue;
        const m = LINE.exec(line);
        if (m === null) {
          skipped++;
          continue;
        }
        const entry = { firstSeen: Number(m[1]), expiresAt: Number(m[2]), digest: m[3] as string };
        if (entry.expiresAt >= now) entries.push(entry);
      }
    }
    rewrite(path, entries);
    const journal = new ReplayJournal(path, openSync(path, "a", 0o600), entries.length + 1);
    return { journal, load: { entries, skipped, created: text === undefined } };
  }

  /** Lines in the file, the header included. */
  get lines(): number {
    return this.#lines;
  }

  append(entry: JournalEntry): void {
    writeSync(this.#fd, `${entry.firstSeen} ${entry.expiresAt} ${entry.digest}\n`);
    this.#lines++;
  }

  /** Replaces the file with `entries` (the live ones) and appends to the new file from now on. */
  compact(entries: Iterable<JournalEntry>): void {
    const list = [...entries];
    rewrite(this.path, list);
    const fd = openSync(this.path, "a", 0o600);
    closeSync(this.#fd);
    this.#fd = fd;
    this.#lines = list.length + 1;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

function rewrite(path: string, entries: readonly JournalEntry[]): void {
  const temp = `${path}.${process.pid}.tmp`;
  const text = [JOURNAL_HEADER, ...entries.map((e) => `${e.firstSeen} ${e.expiresAt} ${e.digest}`)]
    .join("\n")
    .concat("\n");
  const fd = openSync(temp, "w", 0o600);
  try {
    writeFileSync(fd, text, "latin1");
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // The write already failed; that error is the one worth reporting.
    }
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
  // The rename is durable only once the directory entry is on disk.
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
