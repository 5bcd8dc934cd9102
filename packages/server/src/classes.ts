import { readFile, stat } from "node:fs/promises";
import type { Logger } from "@phobos/core";

/**
 * The configuration management classes of this node: one per line in
 * `classesfile` (Puppet's classes.txt), re-read when the file changes.
 */
export class ClassesFile {
  readonly #path: string;
  readonly #log: Logger;
  #classes: string[] = [];
  #mtime = -1;
  #warned = false;

  constructor(path: string, log: Logger) {
    this.#path = path;
    this.#log = log;
  }

  async get(): Promise<string[]> {
    try {
      const s = await stat(this.#path);
      if (s.mtimeMs !== this.#mtime) {
        this.#classes = (await readFile(this.#path, "utf8")).split("\n").filter((c) => c !== "");
        this.#mtime = s.mtimeMs;
        this.#warned = false;
      }
    } catch (err) {
      if (!this.#warned) {
        this.#log.warn(`Parsing classes file '${this.#path}' failed: ${(err as Error).message}`);
        this.#warned = true;
      }
      this.#classes = [];
      this.#mtime = -1;
    }
    return this.#classes;
  }
}
