/**
 * Signed-in sessions, kept in the console's memory: a restart signs
 * everyone out, which is what a console with live request streams wants
 * anyway. The cookie carries a random id; the CSRF token is a second
 * random value the page reads from GET /api/session and sends back in the
 * `x-csrf-token` header, which a cross-site form cannot do.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export interface Session {
  id: string;
  login: string;
  csrfToken: string;
  lastUsed: number;
}

export class Sessions {
  readonly #sessions = new Map<string, Session>();

  constructor(
    readonly idleSeconds: number,
    readonly now: () => number = Date.now,
  ) {}

  create(login: string): Session {
    const session = {
      id: randomBytes(32).toString("base64url"),
      login,
      csrfToken: randomBytes(32).toString("base64url"),
      lastUsed: this.now(),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, touched; an idle one is dropped. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastUsed > this.idleSeconds * 1000) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastUsed = this.now();
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Signs `login` out everywhere (a removed user, a changed password). */
  deleteUser(login: string): void {
    for (const [id, session] of this.#sessions) if (session.login === login) this.#sessions.delete(id);
  }

  has(login: string): boolean {
    for (const session of this.#sessions.values()) if (session.login === login) return true;
    return false;
  }
}

export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
