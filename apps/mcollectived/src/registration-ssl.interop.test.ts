/**
 * Registration under the ssl security plugin, between Phobos and Ruby
 * MCollective 2.12.5 on RabbitMQ. A daemon signs its registration with the
 * servers' private key and calls itself `cert=<server public key name>`
 * (Ruby's SSL#callerid for a node), so a receiving daemon verifies it with
 * that public key from its `ssl_client_cert_dir`: the Ruby registration
 * agent stores what a Phobos daemon sent, and the caller id and filter are
 * those a Ruby daemon's registration carries.
 */
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { load, type RubyValue } from "@phobos/core";
import {
  DEBIAN_PLUGIN_DIR,
  RUBY_FIX_DIR,
  type RubyDaemon,
  type RubyFleet,
  startRubyDaemons,
  startRubyFleet,
  writeRubyFix,
  writeServerConfig,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, eventually, startDaemon, waitForLog } from "./test-support/daemon.js";

const RECEIVER_LIB = fileURLToPath(new URL("./__fixtures__/registration-receiver", import.meta.url));

let fleet: RubyFleet;
let store: string;
const ruby: RubyDaemon[] = [];
const phobos: Daemon[] = [];

type Stored = Map<RubyValue, RubyValue>;

function stored(sender: string): Promise<Stored> {
  return eventually(
    async () => {
      const bytes = await readFile(join(store, `${sender}.marshal`)).catch(() => undefined);
      return bytes === undefined ? undefined : (load(bytes) as Stored);
    },
    `the Ruby registration agent stores a registration from ${sender}`,
    30_000,
  );
}

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-registration-ssl", nodes: [], ssl: {} });
  const ssl = fleet.ssl;
  if (!ssl) throw new Error("the fleet was asked for ssl keys");
  // A node's registration is signed by the servers' key: receivers trust it as a caller.
  await copyFile(ssl.serverPublic, join(ssl.certDir, basename(ssl.serverPublic)));
  store = join(fleet.dir, "registrations");
  await mkdir(store, { recursive: true });

  const receiverDir = join(fleet.dir, "nodes", "ruby-registry");
  await writeRubyFix(join(receiverDir, RUBY_FIX_DIR));
  ruby.push(
    ...(await startRubyDaemons(
      [
        {
          ...fleet.serverConfigOptions({ identity: "ruby-registry" }),
          admin: fleet.admin,
          dir: receiverDir,
          libdir: [RECEIVER_LIB, join(receiverDir, RUBY_FIX_DIR), DEBIAN_PLUGIN_DIR],
          extra: { "plugin.registration.directory": store },
        },
        {
          ...fleet.serverConfigOptions({ identity: "ruby-sender" }),
          admin: fleet.admin,
          dir: join(fleet.dir, "nodes", "ruby-sender"),
          registerinterval: 1,
        },
      ],
      { admin: fleet.admin },
    )),
  );

  const dir = join(fleet.dir, "nodes", "phobos-ssl");
  await mkdir(join(dir, "libdir"), { recursive: true });
  const config = await writeServerConfig(dir, {
    ...fleet.serverConfigOptions({ identity: "phobos-ssl" }),
    libdir: [join(dir, "libdir")],
    registerinterval: 1,
  });
  const daemon = startDaemon(["--config", config, "--no-daemonize"]);
  phobos.push(daemon);
  await waitForLog(join(dir, "mcollectived.log"), /Phobos mcollectived ready as phobos-ssl/, {
    timeoutMs: 20_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${daemon.output()}`);
  });
});

afterAll(async () => {
  await Promise.all(phobos.map((d) => d.kill()));
  await Promise.allSettled(ruby.map((d) => d.stop()));
  await fleet?.dispose();
});

describe("registration under ssl", () => {
  it("a Ruby daemon verifies and stores a Phobos daemon's registration, signed as a Ruby daemon signs its own", async () => {
    const fromPhobos = await stored("phobos-ssl");
    const fromRuby = await stored("ruby-sender");
    expect(fromPhobos.get("callerid")).toBe(`cert=${basename(fleet.ssl?.serverPublic ?? "", ".pem")}`);
    expect(fromPhobos.get("body")).toEqual(expect.arrayContaining(["discovery", "rpcutil"]));
    for (const field of ["callerid", "agent", "collective", "ttl", "filter"]) {
      expect([field, fromPhobos.get(field)]).toEqual([field, fromRuby.get(field)]);
    }
  });
});
