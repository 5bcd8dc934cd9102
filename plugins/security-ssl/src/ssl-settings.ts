/**
 * The ssl plugin's configuration, read from MCollective's own keys
 * (`plugin.ssl_server_private`, `plugin.ssl_client_cert_dir`, …,
 * `plugin.ssl.enforce_ttl`) and environment (`MCOLLECTIVE_SSL_PRIVATE`,
 * `MCOLLECTIVE_SSL_PUBLIC`), plus Phobos's `plugin.ssl.encrypt`. Every key
 * file is read at start-up, so a wrong path or a key of the wrong kind stops
 * mco or the daemon with a message naming the key, instead of failing on
 * the first message.
 */
import { basename } from "node:path";
import { ConfigError, type PluginContext } from "@phobos/core";
import { ClientKeyDirectory } from "./keys/client-keys.js";
import {
  KeyFileError,
  type PrivateKey,
  type PublicKey,
  readPrivateKey,
  readPublicKey,
} from "./keys/key-files.js";
import { type Serializer, serializerFor } from "./serializer.js";

export interface SslSettings {
  mode: "client" | "server";
  serializer: Serializer;
  /** `plugin.ssl.enforce_ttl` (default on): refuse a request whose ttl or msgtime is not the signed one. */
  enforceTtl: boolean;
  /** `plugin.ssl.encrypt` (Phobos only): box request and reply bodies. */
  encrypt: boolean;
  /** Signs what this side sends: the client's key, or the servers' shared key. */
  signer: PrivateKey;
  /** `cert=<basename of our public key, minus .pem>`, or why there is none. */
  callerId: string | ConfigError;
  /** Client: verifies replies (and boxes requests when encrypting). */
  serverPublic: PublicKey | undefined;
  /** Server: the callers' public keys. */
  clientKeys: ClientKeyDirectory | undefined;
}

const CALLER_ID = /^\w+=[\w.-]+$/;

function callerIdFrom(path: string | undefined, key: string): string | ConfigError {
  if (path === undefined)
    return new ConfigError("is not set: the caller id is the name of this public key file", { key });
  const id = `cert=${basename(path).replace(/\.pem$/, "")}`;
  if (!CALLER_ID.test(id)) {
    return new ConfigError(
      `'${basename(path)}' makes the caller id '${id}', which is not valid: name key files with letters, digits, '.', '-' and '_' only`,
      { key },
    );
  }
  return id;
}

export function readSslSettings(ctx: PluginContext): SslSettings {
  const s = ctx.settings;
  const where = (key: string) => s.where(key);
  const need = (key: string, hint: string): string => {
    const value = s.string(key);
    if (value === undefined || value.trim() === "") {
      throw new ConfigError(`is not set: ${hint}`, { ...where(key), key: s.fullKey(key) });
    }
    return value.trim();
  };
  const keyFile = <T>(read: (path: string) => T, path: string, key: string): T => {
    try {
      return read(path);
    } catch (err) {
      if (!(err instanceof KeyFileError)) throw err;
      const at = key.startsWith("MCOLLECTIVE_") ? { key } : { ...where(key), key: s.fullKey(key) };
      throw new ConfigError(`${err.message} (create keys with phobos-keygen)`, at, { cause: err });
    }
  };

  const serializerName = s.string("ssl_serializer", "marshal").trim();
  const serializer = serializerFor(serializerName);
  if (serializer === undefined) {
    throw new ConfigError(`'${serializerName}' is not a serializer: use marshal or yaml`, {
      ...where("ssl_serializer"),
      key: s.fullKey("ssl_serializer"),
    });
  }
  const enforceTtl = s.boolean("enforce_ttl", true);
  const encrypt = s.boolean("encrypt", false);

  if (ctx.mode === "client") {
    const envPrivate = process.env.MCOLLECTIVE_SSL_PRIVATE;
    const envPublic = process.env.MCOLLECTIVE_SSL_PUBLIC;
    const privateKey = envPrivate ? "MCOLLECTIVE_SSL_PRIVATE" : "ssl_client_private";
    const privatePath =
      envPrivate || need("ssl_client_private", "the client's private key (or set MCOLLECTIVE_SSL_PRIVATE)");
    const publicKey = envPublic ? "MCOLLECTIVE_SSL_PUBLIC" : "ssl_client_public";
    const publicPath =
      envPublic ||
      need(
        "ssl_client_public",
        "the client's public key, whose name is the caller id (or set MCOLLECTIVE_SSL_PUBLIC)",
      );
    const signer = keyFile(readPrivateKey, privatePath, privateKey);
    const serverPublic = keyFile(
      readPublicKey,
      need("ssl_server_public", "the servers' public key, which signs their replies"),
      "ssl_server_public",
    );
    if (encrypt) {
      if (signer.boxSecretKey === undefined || serverPublic.boxPublicKey === undefined) {
        throw new ConfigError(
          "needs Ed25519 keys on both ends: this client's key and the servers' key (phobos-keygen --type ed25519)",
          { ...where("encrypt"), key: s.fullKey("encrypt") },
        );
      }
    }
    return {
      mode: "client",
      serializer,
      enforceTtl,
      encrypt,
      signer,
      callerId: callerIdFrom(publicPath, envPublic ? publicKey : s.fullKey(publicKey)),
      serverPublic,
      clientKeys: undefined,
    };
  }

  const signer = keyFile(
    readPrivateKey,
    need("ssl_server_private", "the servers' shared private key, which signs replies"),
    "ssl_server_private",
  );
  const clientKeys = new ClientKeyDirectory(
    need("ssl_client_cert_dir", "the directory of the callers' public keys"),
  );
  if (encrypt && signer.boxSecretKey === undefined) {
    throw new ConfigError("needs an Ed25519 server key (phobos-keygen server --type ed25519)", {
      ...where("encrypt"),
      key: s.fullKey("encrypt"),
    });
  }
  const serverPublicPath = s.string("ssl_server_public")?.trim() || undefined;
  return {
    mode: "server",
    serializer,
    enforceTtl,
    encrypt,
    signer,
    callerId: callerIdFrom(serverPublicPath, s.fullKey("ssl_server_public")),
    serverPublic: serverPublicPath
      ? keyFile(readPublicKey, serverPublicPath, "ssl_server_public")
      : undefined,
    clientKeys,
  };
}
