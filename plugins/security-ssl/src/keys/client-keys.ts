/**
 * `plugin.ssl_client_cert_dir`: one public key per caller, `<name>.pem` for
 * caller id `cert=<name>`. Looked up on every request, as MCollective does,
 * so adding a key lets a user in and removing (or replacing) it locks them
 * out without a restart; a parsed key is reused while its file is unchanged.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { type PublicKey, readPublicKey } from "./key-files.js";

export type ClientKeyLookup =
  | { found: true; key: PublicKey }
  | { found: false; reason: "invalid-callerid" | "unknown-caller"; message: string };

/** MCollective's `cert=([\w\.\-]+)`, anchored: nothing but the name may follow. */
const CERT_CALLER = /^cert=([\w.-]+)$/;

export class ClientKeyDirectory {
  readonly dir: string;
  readonly #cache = new Map<string, { stamp: string; key: PublicKey }>();

  constructor(dir: string) {
    this.dir = dir;
  }

  lookup(callerid: string): ClientKeyLookup {
    const m = CERT_CALLER.exec(callerid);
    if (!m) {
      return {
        found: false,
        reason: "invalid-callerid",
        message: `Caller id is not in the expected format (cert=<name>): '${callerid}'`,
      };
    }
    const name = m[1] as string;
    const path = join(this.dir, `${name}.pem`);
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      this.#cache.delete(path);
      return {
        found: false,
        reason: "unknown-caller",
        message: `Could not find a public key for ${name} in ${path}`,
      };
    }
    const cached = this.#cache.get(path);
    if (cached?.stamp === stamp) return { found: true, key: cached.key };
    try {
      const key = readPublicKey(path);
      this.#cache.set(path, { stamp, key });
      return { found: true, key };
    } catch (err) {
      this.#cache.delete(path);
      return {
        found: false,
        reason: "unknown-caller",
        message: `Cannot use the public key of ${name}: ${(err as Error).message}`,
      };
    }
  }
}
