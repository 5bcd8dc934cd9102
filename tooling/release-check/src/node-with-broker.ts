/**
 * One mcollectived hosting the embedded broker on a loopback port of this
 * package's range, with the given libdir, and a client config that reaches
 * it: the smallest real site, to prove an installed plugin answers mco rpc.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeClientConfig, writeServerConfig } from "@phobos/interop";
import { eventually } from "@phobos/testing";
import { freePortIn } from "./ports.js";
import { type Started, start } from "./processes.js";

export interface SiteOptions {
  /** The mcollectived executable: the workspace's, or a globally installed one. */
  mcollectived: string;
  dir: string;
  identity: string;
  libdir: string;
  ports: { from: number; to: number };
}

export interface Site {
  clientConfig: string;
  log: string;
  stop(): Promise<void>;
}

export async function startSite(o: SiteOptions): Promise<Site> {
  const port = await freePortIn(o.ports.from, o.ports.to);
  const user = { name: "mcollective", password: randomBytes(8).toString("hex") };
  const broker = {
    connector: "rabbitmq" as const,
    vhost: "/mcollective",
    pool: [{ host: "127.0.0.1", port, user: user.name, password: user.password }],
  };
  const security = { provider: "psk" as const, psk: randomBytes(12).toString("hex") };
  const home = join(o.dir, o.identity);
  const serverConfig = await writeServerConfig(home, {
    identity: o.identity,
    broker,
    security,
    libdir: [o.libdir],
    loglevel: "info",
    extra: {
      "plugin.broker.enable": "1",
      "plugin.broker.bind": "127.0.0.1",
      "plugin.broker.port": String(port),
      "plugin.broker.users": `${user.name}:${user.password}`,
    },
  });
  const clientConfig = await writeClientConfig(join(o.dir, `${o.identity}-client`), {
    identity: `${o.identity}-client`,
    broker,
    security,
    libdir: [o.libdir],
  });
  const daemon: Started = start(o.mcollectived, ["--config", serverConfig, "--no-daemonize"]);
  const log = join(home, "mcollectived.log");
  const ready = new RegExp(`Phobos mcollectived ready as ${o.identity}`);
  try {
    await eventually(
      async () => (ready.test(await readFile(log, "utf8")) ? true : undefined),
      `${o.mcollectived} to start`,
      120_000,
      250,
    );
  } catch (err) {
    const text = await readFile(log, "utf8").catch(() => "");
    await daemon.stop();
    throw new Error(`${(err as Error).message}\n--- output ---\n${daemon.output()}\n--- log ---\n${text}`);
  }
  return { clientConfig, log, stop: daemon.stop };
}
