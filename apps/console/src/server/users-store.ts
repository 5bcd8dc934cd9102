/**
 * The console's users: one JSON file, written whole (temp file, rename)
 * with mode 0600 since it holds password hashes. Logins are what a
 * callerid may carry (`user=<login>`), so `[\w.-]+` only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { ConfigError, UsageError } from "@phobos/core";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password.js";

export interface ConsoleUser {
  login: string;
  password: string;
  /** Under ssl security: the PEM private key this user signs requests with, and its public key. */
  sslPrivateKey?: string;
  sslPublicKey?: string;
  /** When the user was added or last given a password (ISO time). */
  created: string;
}

interface UsersFile {
  users: Record<string, ConsoleUser>;
}

export const LOGIN = /^[\w.-]{1,64}$/;

export function checkLogin(login: string): void {
  if (!LOGIN.test(login)) {
    throw new UsageError(
      `'${login}' is not a console login: use 1 to 64 letters, digits, _, . or - (it becomes the callerid user=<login>)`,
    );
  }
}

export class UsersStore {
  constructor(readonly file: string) {}

  #read(): UsersFile {
    if (!existsSync(this.file)) return { users: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (err) {
      throw new ConfigError(`is not a console users file: ${(err as Error).message}`, { file: this.file });
    }
    const users = (parsed as UsersFile | null)?.users;
    if (typeof users !== "object" || users === null) {
      throw new ConfigError('is not a console users file: no "users" object', { file: this.file });
    }
    return { users };
  }

  #write(data: UsersFile): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
  }

  list(): ConsoleUser[] {
    return Object.values(this.#read().users).sort((a, b) => a.login.localeCompare(b.login));
  }

  get(login: string): ConsoleUser | undefined {
    const users = this.#read().users;
    return Object.hasOwn(users, login) ? users[login] : undefined;
  }

  /** Adds or replaces `login`. */
  async set(
    login: string,
    password: string,
    keys: { sslPrivateKey?: string; sslPublicKey?: string } = {},
  ): Promise<ConsoleUser> {
    checkLogin(login);
    if (password.length < 8) throw new UsageError("the password needs at least 8 characters");
    const data = this.#read();
    const user: ConsoleUser = {
      login,
      password: await hashPassword(password),
      ...keys,
      created: new Date().toISOString(),
    };
    data.users[login] = user;
    this.#write(data);
    return user;
  }

  remove(login: string): boolean {
    const data = this.#read();
    if (!Object.hasOwn(data.users, login)) return false;
    delete data.users[login];
    this.#write(data);
    return true;
  }

  /** The user when `password` is theirs; an unknown login costs a hash too. */
  async authenticate(login: string, password: string): Promise<ConsoleUser | undefined> {
    const user = LOGIN.test(login) ? this.get(login) : undefined;
    const ok = await verifyPassword(password, user?.password ?? DUMMY_HASH);
    return ok && user ? user : undefined;
  }
}
