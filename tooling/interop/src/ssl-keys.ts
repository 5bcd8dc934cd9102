/**
 * Keys for an ssl fleet, made the way MCollective's documentation makes them:
 * `openssl genrsa` and `openssl rsa -pubout` (Ed25519 with `openssl genpkey`,
 * for Phobos-only tests). The layout is the one both implementations read:
 *
 *     ssl/server-private.pem, ssl/server-public.pem   the daemons' shared pair
 *     ssl/clients/<name>.pem                          plugin.ssl_client_cert_dir
 *     ssl/users/<name>-private.pem, <name>.pem        one pair per user (cert=<name>)
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

export type SslKeyType = "rsa" | "ed25519";

export interface SslUserKeys {
  readonly name: string;
  readonly privatePath: string;
  /** Its basename (minus `.pem`) is the caller id: `cert=<name>`. */
  readonly publicPath: string;
}

export interface SslKeySite {
  readonly dir: string;
  readonly serverPrivate: string;
  readonly serverPublic: string;
  /** `plugin.ssl_client_cert_dir` of every daemon. */
  readonly certDir: string;
  /** A new user key pair; `trusted` (default true) puts the public key in the clients' directory. */
  addUser(name: string, options?: { type?: SslKeyType; trusted?: boolean }): Promise<SslUserKeys>;
  /** Takes a user's key out of the clients' directory (their access is revoked). */
  revoke(name: string): Promise<void>;
  user(name: string): SslUserKeys;
}

const run = promisify(execFile);

async function keyPair(type: SslKeyType, privatePath: string, publicPath: string): Promise<void> {
  try {
    if (type === "rsa") await run("openssl", ["genrsa", "-out", privatePath, "2048"]);
    else await run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", privatePath]);
    await run("openssl", ["pkey", "-in", privatePath, "-pubout", "-out", publicPath]);
  } catch (error) {
    throw new Error(
      `openssl could not make a ${type} key pair (run \`sh tooling/scripts/provision.sh\`): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export async function createSslKeySite(
  dir: string,
  options: { serverType?: SslKeyType } = {},
): Promise<SslKeySite> {
  const certDir = join(dir, "clients");
  const usersDir = join(dir, "users");
  await mkdir(certDir, { recursive: true });
  await mkdir(usersDir, { recursive: true });
  const serverPrivate = join(dir, "server-private.pem");
  const serverPublic = join(dir, "server-public.pem");
  await keyPair(options.serverType ?? "rsa", serverPrivate, serverPublic);
  const users = new Map<string, SslUserKeys>();
  return {
    dir,
    serverPrivate,
    serverPublic,
    certDir,
    async addUser(name, userOptions = {}) {
      if (!/^[\w.-]+$/.test(name)) throw new Error(`"${name}" cannot be a caller id name (cert=${name})`);
      const keys = {
        name,
        privatePath: join(usersDir, `${name}-private.pem`),
        publicPath: join(usersDir, `${name}.pem`),
      };
      await keyPair(userOptions.type ?? "rsa", keys.privatePath, keys.publicPath);
      if (userOptions.trusted !== false) await copyFile(keys.publicPath, join(certDir, `${name}.pem`));
      users.set(name, keys);
      return keys;
    },
    async revoke(name) {
      await rm(join(certDir, `${name}.pem`), { force: true });
    },
    user(name) {
      const keys = users.get(name);
      if (keys === undefined) throw new Error(`no ssl user "${name}" in ${dir}`);
      return keys;
    },
  };
}
