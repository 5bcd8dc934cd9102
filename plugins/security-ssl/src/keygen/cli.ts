import { copyFileSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { KeyType } from "../keys/key-files.js";
import { DEFAULT_RSA_BITS, generateKeyPair, writeKeyPair } from "./keygen.js";

const USAGE = `Usage: phobos-keygen server [options]
       phobos-keygen client NAME [options]

Creates the key pairs of MCollective's ssl security plugin.

  server       the key pair every daemon shares: DIR/server-private.pem and
               DIR/server-public.pem (DIR defaults to /etc/mcollective/ssl).
               Copy both to every server, and server-public.pem to every
               client.
  client NAME  one user's key pair: DIR/NAME-private.pem and DIR/NAME.pem
               (DIR defaults to ~/.mc). The user's caller id is cert=NAME;
               NAME.pem goes into every server's plugin.ssl_client_cert_dir.

  -t, --type rsa|ed25519   key type (default rsa). RSA is what Ruby MCollective
                           understands; Ed25519 is Phobos only, and is needed
                           for plugin.ssl.encrypt.
  -b, --bits N             RSA key size (default ${DEFAULT_RSA_BITS})
  -d, --dir DIR            where to write the pair
      --cert-dir DIR       client: also copy NAME.pem into DIR (a server's
                           plugin.ssl_client_cert_dir)
  -f, --force              overwrite existing files
  -h, --help
`;

const NAME = /^[\w.-]+$/;

/** Where the command writes: process.stdout and process.stderr, or a test's collectors. */
export interface Output {
  write(text: string): unknown;
}

export async function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        type: { type: "string", short: "t", default: "rsa" },
        bits: { type: "string", short: "b" },
        dir: { type: "string", short: "d" },
        "cert-dir": { type: "string" },
        force: { type: "boolean", short: "f" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err.write(`phobos-keygen: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const [role, name, ...rest] = positionals;
  const type = values.type as string;
  const problem =
    role !== "server" && role !== "client"
      ? "say server or client"
      : role === "client" && (name === undefined || !NAME.test(name))
        ? "a client needs a NAME of letters, digits, '.', '-' and '_' (its caller id is cert=NAME)"
        : (role === "server" && name !== undefined) || rest.length > 0
          ? `unexpected argument ${JSON.stringify(role === "server" ? name : rest[0])}`
          : type !== "rsa" && type !== "ed25519"
            ? `--type ${type}: use rsa or ed25519`
            : values.bits !== undefined && type !== "rsa"
              ? "--bits is for RSA keys"
              : values["cert-dir"] !== undefined && role !== "client"
                ? "--cert-dir is for client keys"
                : undefined;
  if (problem !== undefined) {
    err.write(`phobos-keygen: ${problem}\n\n${USAGE}`);
    return 1;
  }

  const dir = resolve(
    (values.dir as string | undefined) ??
      (role === "server" ? "/etc/mcollective/ssl" : join(homedir(), ".mc")),
  );
  const files =
    role === "server"
      ? { privatePath: join(dir, "server-private.pem"), publicPath: join(dir, "server-public.pem") }
      : { privatePath: join(dir, `${name}-private.pem`), publicPath: join(dir, `${name}.pem`) };
  try {
    const bits = values.bits === undefined ? undefined : Number(values.bits);
    const pair = generateKeyPair(type as KeyType, bits === undefined ? {} : { bits });
    writeKeyPair(pair, files, { force: values.force === true });
    let copied: string | undefined;
    if (values["cert-dir"] !== undefined) {
      const certDir = resolve(values["cert-dir"] as string);
      mkdirSync(certDir, { recursive: true });
      copied = join(certDir, `${name}.pem`);
      copyFileSync(files.publicPath, copied);
    }
    out.write(`Wrote ${files.privatePath} (${type}, private: keep it secret)\nWrote ${files.publicPath}\n`);
    if (copied !== undefined) out.write(`Copied the public key to ${copied}\n`);
    out.write(
      role === "server"
        ? `\nIn server.cfg:\n  securityprovider = ssl\n  plugin.ssl_server_private = ${files.privatePath}\n  plugin.ssl_server_public = ${files.publicPath}\n  plugin.ssl_client_cert_dir = /etc/mcollective/ssl/clients\nIn client.cfg:\n  plugin.ssl_server_public = <where you copy ${files.publicPath}>\n`
        : `\nCaller id: cert=${name}\nIn client.cfg (or MCOLLECTIVE_SSL_PRIVATE / MCOLLECTIVE_SSL_PUBLIC):\n  securityprovider = ssl\n  plugin.ssl_client_private = ${files.privatePath}\n  plugin.ssl_client_public = ${files.publicPath}\n  plugin.ssl_server_public = /etc/mcollective/ssl/server-public.pem\nOn every server: copy ${files.publicPath} to plugin.ssl_client_cert_dir as ${name}.pem\n`,
    );
    return 0;
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    err.write(
      `phobos-keygen: ${error.code === "EEXIST" ? `${error.path ?? "a key file"} exists: pass --force to replace it` : error.message}\n`,
    );
    return 1;
  }
}
