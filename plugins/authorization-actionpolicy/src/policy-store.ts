/**
 * Policy and groups files, read when a request needs them (as MCollective
 * read them on every request, so an edit applies at once) and parsed again
 * only when the file changed. A file that does not parse is remembered as
 * such, so its error is logged once per change, not once per request.
 */
import { readFileSync, statSync } from "node:fs";
import { type Policy, PolicySyntaxError, parseGroups, parsePolicy } from "./policy-file.js";

export type Loaded<T> =
  | { state: "missing" }
  | { state: "ok"; value: T }
  | { state: "broken"; error: PolicySyntaxError; fresh: boolean };

class ParsedFiles<T> {
  readonly #cache = new Map<string, { stamp: string; result: Loaded<T> }>();
  readonly #parse: (text: string, file: string) => T;

  constructor(parse: (text: string, file: string) => T) {
    this.#parse = parse;
  }

  load(path: string): Loaded<T> {
    let stamp: string;
    try {
      const st = statSync(path);
      if (!st.isFile()) return { state: "missing" };
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      this.#cache.delete(path);
      return { state: "missing" };
    }
    const cached = this.#cache.get(path);
    if (cached?.stamp === stamp) {
      return cached.result.state === "broken" ? { ...cached.result, fresh: false } : cached.result;
    }
    let result: Loaded<T>;
    try {
      result = { state: "ok", value: this.#parse(readFileSync(path, "utf8"), path) };
    } catch (err) {
      const error =
        err instanceof PolicySyntaxError
          ? err
          : new PolicySyntaxError(path, 0, `cannot read: ${(err as Error).message}`);
      result = { state: "broken", error, fresh: true };
    }
    this.#cache.set(path, { stamp, result });
    return result;
  }
}

export class PolicyStore {
  readonly policies = new ParsedFiles<Policy>(parsePolicy);
  readonly groups = new ParsedFiles<Map<string, string[]>>(parseGroups);
}
