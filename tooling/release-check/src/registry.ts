/**
 * A private Verdaccio on loopback, with its own storage and users in a temp
 * directory: the real npm registry protocol, so publishing and installing
 * are exactly what they are against npmjs. Packages named `@phobos/*` and
 * `phobos-*` come only from what the test published; everything else is
 * proxied from registry.npmjs.org (the third-party dependencies).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { eventually } from "@phobos/testing";
import { type Started, start } from "./processes.js";

export interface LocalRegistry {
  url: string;
  /** An npmrc with the registry and a publish token, for npm and pnpm (`NPM_CONFIG_USERCONFIG`). */
  npmrc: string;
  /** The environment npm and pnpm are run with: this registry, a private cache, this npmrc. */
  env: NodeJS.ProcessEnv;
  output(): string;
  stop(): Promise<void>;
}

function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("verdaccio/package.json");
  const bin = (JSON.parse(readFileSync(pkgPath, "utf8")) as { bin: string | Record<string, string> }).bin;
  return join(dirname(pkgPath), typeof bin === "string" ? bin : (bin.verdaccio as string));
}

function config(dir: string): string {
  return `storage: ${join(dir, "storage")}
auth:
  htpasswd:
    file: ${join(dir, "htpasswd")}
    max_users: 10
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 120s
    max_fails: 5
packages:
  "@phobos/*":
    access: $all
    publish: $authenticated
  "phobos-*":
    access: $all
    publish: $authenticated
  "**":
    access: $all
    publish: $authenticated
    proxy: npmjs
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
`;
}

export async function startLocalRegistry(dir: string, port: number): Promise<LocalRegistry> {
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, "config.yaml");
  await writeFile(configFile, config(dir));
  const url = `http://127.0.0.1:${port}/`;
  // Some CI machines reach npmjs through a TLS proxy whose CA only the system store has.
  const ca = "/etc/ssl/certs/ca-certificates.crt";
  let verdaccio: Started | undefined = start(
    process.execPath,
    [verdaccioBin(), "--config", configFile, "--listen", `127.0.0.1:${port}`],
    { env: { ...process.env, ...(existsSync(ca) ? { NODE_EXTRA_CA_CERTS: ca } : {}) } },
  );
  const stop = async () => {
    await verdaccio?.stop();
    verdaccio = undefined;
  };
  try {
    await eventually(
      async () => ((await fetch(`${url}-/ping`)).ok ? true : undefined),
      "Verdaccio to answer /-/ping",
      120_000,
      250,
    );
    const user = await fetch(`${url}-/user/org.couchdb.user:release`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "release", password: "release-check", type: "user", roles: [] }),
    });
    const { token } = (await user.json()) as { token?: string };
    if (!user.ok || !token)
      throw new Error(`Verdaccio refused to create the publishing user: HTTP ${user.status}`);
    const npmrc = join(dir, "npmrc");
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    const output = verdaccio.output;
    return {
      url,
      npmrc,
      env: {
        ...process.env,
        NPM_CONFIG_USERCONFIG: npmrc,
        npm_config_registry: url,
        npm_config_cache: join(dir, "npm-cache"),
        npm_config_audit: "false",
        npm_config_fund: "false",
        npm_config_update_notifier: "false",
      },
      output,
      stop,
    };
  } catch (err) {
    const out = verdaccio?.output() ?? "";
    await stop();
    throw new Error(`${(err as Error).message}\n--- verdaccio ---\n${out}`);
  }
}
