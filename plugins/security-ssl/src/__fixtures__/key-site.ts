/**
 * A throw-away site of ssl keys in a temp directory: the servers' pair, a
 * clients' directory, and one pair per named user, in the layout
 * phobos-keygen writes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, writeKeyPair } from "../keygen/keygen.js";
import type { KeyType } from "../keys/key-files.js";

export interface KeySite {
  dir: string;
  serverPrivate: string;
  serverPublic: string;
  certDir: string;
  /** Creates a user's pair; `trusted` (default) also copies the public key into the clients' directory. */
  user(
    name: string,
    options?: { type?: KeyType; trusted?: boolean },
  ): { privatePath: string; publicPath: string };
  serverConfig(extra?: Record<string, string>): Record<string, string>;
  clientConfig(name: string, extra?: Record<string, string>): Record<string, string>;
  remove(): void;
}

export function createKeySite(serverType: KeyType = "rsa"): KeySite {
  const dir = mkdtempSync(join(tmpdir(), "phobos-ssl-keys-"));
  const certDir = join(dir, "clients");
  mkdirSync(certDir);
  const server = { privatePath: join(dir, "server-private.pem"), publicPath: join(dir, "server-public.pem") };
  writeKeyPair(generateKeyPair(serverType), server);
  const users = new Map<string, { privatePath: string; publicPath: string }>();
  return {
    dir,
    serverPrivate: server.privatePath,
    serverPublic: server.publicPath,
    certDir,
    user(name, options = {}) {
      const files = {
        privatePath: join(dir, "users", `${name}-private.pem`),
        publicPath: join(dir, "users", `${name}.pem`),
      };
      writeKeyPair(generateKeyPair(options.type ?? "rsa"), files, { force: true });
      if (options.trusted !== false) copyFileSync(files.publicPath, join(certDir, `${name}.pem`));
      users.set(name, files);
      return files;
    },
    serverConfig(extra = {}) {
      return {
        "plugin.ssl_server_private": server.privatePath,
        "plugin.ssl_server_public": server.publicPath,
        "plugin.ssl_client_cert_dir": certDir,
        ...extra,
      };
    },
    clientConfig(name, extra = {}) {
      const files = users.get(name);
      if (files === undefined) throw new Error(`no user ${name} in this key site`);
      return {
        "plugin.ssl_server_public": server.publicPath,
        "plugin.ssl_client_private": files.privatePath,
        "plugin.ssl_client_public": files.publicPath,
        ...extra,
      };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
