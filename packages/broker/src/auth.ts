import { createHash, timingSafeEqual } from "node:crypto";

export interface BrokerUser {
  readonly name: string;
  readonly password: string;
}

/** What the broker uses when no user is configured, like a fresh RabbitMQ. */
export const DEFAULT_USERS: readonly BrokerUser[] = [{ name: "guest", password: "guest" }];

export interface Authenticator {
  /** True when `login`/`passcode` name a configured user. */
  check(login: string | undefined, passcode: string | undefined): boolean;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Password checks compare digests in constant time, so response timing does
 * not reveal how much of a guessed password was right.
 */
export function createAuthenticator(users: readonly BrokerUser[]): Authenticator {
  const table = new Map(users.map((user) => [user.name, digest(user.password)]));
  const nobody = digest("");
  return {
    check(login, passcode) {
      const expected = login === undefined ? undefined : table.get(login);
      const ok = timingSafeEqual(expected ?? nobody, digest(passcode ?? ""));
      return ok && expected !== undefined;
    },
  };
}

/** `NAME:PASSWORD` as given to `--user` or `user =`; the password may contain colons. */
export function parseUserSpec(spec: string): BrokerUser | undefined {
  const colon = spec.indexOf(":");
  if (colon <= 0) return undefined;
  return { name: spec.slice(0, colon), password: spec.slice(colon + 1) };
}
