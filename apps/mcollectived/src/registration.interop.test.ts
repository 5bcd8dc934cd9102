/**
 * Registration between Phobos and Ruby MCollective 2.12.5 on RabbitMQ: a
 * Ruby mcollectived runs a small `registration` agent (the classic
 * /var/tmp/mcollective receiver, written for this test) that stores every
 * registration it receives, one Marshal file per sender. Phobos daemons
 * with `registerinterval` set (agentlist, and meta in another collective)
 * reach it; so does a Ruby daemon with `registerinterval`, and the two
 * envelopes the receiver sees have the same shape.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rabbitmqConnector as rabbitmq } from "@phobos/connector-rabbitmq";
import { type InboundMessage, load, type RubyValue, sym } from "@phobos/core";
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
import { type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, eventually, startDaemon, waitForLog } from "./test-support/daemon.js";
import { fleetBroker, openFleetClient } from "./test-support/fleet.js";
import type { RawClient } from "./test-support/raw-client.js";

const RECEIVER_LIB = fileURLToPath(new URL("./__fixtures__/registration-receiver", import.meta.url));

let fleet: RubyFleet;
let client: RawClient;
let store: string;
const ruby: RubyDaemon[] = [];
const phobos: Daemon[] = [];
let listener: OpenPlugin<"connector"> | undefined;
/** Every registration seen on the broker, as delivered (headers and all). */
const frames: InboundMessage[] = [];

async function startPhobos(
  identity: string,
  options: { extra: Record<string, string>; facts?: Record<string, string>; classes?: string[] },
) {
  const dir = join(fleet.dir, "nodes", identity);
  await mkdir(join(dir, "libdir"), { recursive: true });
  const config = await writeServerConfig(dir, {
    ...fleet.serverConfigOptions({
      identity,
      facts: options.facts ?? {},
      ...(options.classes ? { classes: options.classes } : {}),
    }),
    libdir: [join(dir, "libdir")],
    loglevel: "debug",
    registerinterval: 1,
    extra: options.extra,
  });
  const daemon = startDaemon(["--config", config, "--no-daemonize"]);
  phobos.push(daemon);
  await waitForLog(join(dir, "mcollectived.log"), new RegExp(`Phobos mcollectived ready as ${identity}`), {
    timeoutMs: 20_000,
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${daemon.output()}`);
  });
}

type Record_ = Map<RubyValue, RubyValue>;

/** What the Ruby receiver stored for `sender`, once it has something. */
function stored(sender: string): Promise<Record_> {
  return eventually(
    async () => {
      const bytes = await readFile(join(store, `${sender}.marshal`)).catch(() => undefined);
      return bytes === undefined ? undefined : (load(bytes) as Record_);
    },
    `the Ruby registration agent stores a registration from ${sender}`,
    30_000,
  );
}

beforeAll(async () => {
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-registration",
    collectives: ["mcollective", "infra"],
    nodes: [],
  });
  const endpoint = fleetBroker(fleet);
  listener = await openPlugin(
    {
      definition: rabbitmq,
      settings: {
        vhost: endpoint.vhost,
        "pool.size": "1",
        "pool.1.host": endpoint.host,
        "pool.1.port": String(endpoint.port),
        "pool.1.user": endpoint.user,
        "pool.1.password": endpoint.password,
      },
    },
    "client",
    "registration-listener",
  );
  listener.instance.onMessage((message) => frames.push(message));
  await listener.instance.connect({ timeoutMs: 10_000 });
  await listener.instance.subscribe({ kind: "broadcast", agent: "registration", collective: "mcollective" });
  store = join(fleet.dir, "registrations");
  await mkdir(store, { recursive: true });
  const receiverDir = join(fleet.dir, "nodes", "ruby-registry");
  await writeRubyFix(join(receiverDir, RUBY_FIX_DIR));
  const senderDir = join(fleet.dir, "nodes", "ruby-sender");
  await writeRubyFix(join(senderDir, RUBY_FIX_DIR));
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
      ],
      { admin: fleet.admin },
    )),
  );
  ruby.push(
    ...(await startRubyDaemons(
      [
        {
          ...fleet.serverConfigOptions({ identity: "ruby-sender" }),
          admin: fleet.admin,
          dir: senderDir,
          registerinterval: 1,
        },
      ],
      { admin: fleet.admin },
    )),
  );
  await startPhobos("phobos-list", { extra: {} });
  await startPhobos("phobos-meta", {
    extra: { registration: "meta", registration_collective: "infra" },
    facts: { role: "db", datacenter: "ams" },
    classes: ["base", "role::db"],
  });
  client = await openFleetClient(fleet, "registration-client");
});

afterAll(async () => {
  await client?.close();
  await listener?.instance.disconnect().catch(() => {});
  listener?.close();
  await Promise.all(phobos.map((d) => d.kill()));
  await Promise.allSettled(ruby.map((d) => d.stop()));
  await fleet?.dispose();
  if (store) await rm(store, { recursive: true, force: true });
});

async function agentsOf(node: string): Promise<string[]> {
  const reply = await client.rpc(node, "rpcutil", "inventory");
  return reply.data.agents as string[];
}

describe("Phobos registrations reach a Ruby registration agent", () => {
  it("agentlist: the Ruby agent stores the Phobos daemon's agent list", async () => {
    const record = await stored("phobos-list");
    const agents = await agentsOf("phobos-list");
    expect(agents).toContain("rpcutil");
    expect(record.get("body")).toEqual(agents);
    expect(record.get("senderid")).toBe("phobos-list");
    expect(record.get("agent")).toBe("registration");
    expect(record.get("collective")).toBe("mcollective");
  });

  it("meta: the Ruby agent stores agents, facts, classes, collectives and identity, in the collective asked for", async () => {
    const record = await stored("phobos-meta");
    expect(record.get("collective")).toBe("infra");
    const body = record.get("body") as Map<RubyValue, RubyValue>;
    expect([...body.keys()]).toEqual(
      ["agentlist", "facts", "classes", "collectives", "identity", "version"].map((k) => sym(k)),
    );
    expect(body.get(sym("agentlist"))).toEqual(await agentsOf("phobos-meta"));
    expect(body.get(sym("facts"))).toEqual(
      new Map([
        ["role", "db"],
        ["datacenter", "ams"],
      ]),
    );
    expect(body.get(sym("classes"))).toEqual(["base", "role::db"]);
    expect(body.get(sym("collectives"))).toEqual(["infra", "mcollective"]);
    expect(body.get(sym("identity"))).toBe("phobos-meta");
    expect(body.get(sym("version"))).toBe("2.12.5");
  });

  it("the envelope the Ruby agent sees from Phobos has the shape of a Ruby daemon's registration", async () => {
    const fromRuby = await stored("ruby-sender");
    const fromPhobos = await stored("phobos-list");
    // Ruby's own Registration::Agentlist on a daemon without extra agents.
    expect(fromRuby.get("body")).toEqual(expect.arrayContaining(["rpcutil", "discovery"]));
    for (const field of ["envelope_keys", "agent", "collective", "ttl", "filter", "callerid"]) {
      expect([field, fromPhobos.get(field)]).toEqual([field, fromRuby.get(field)]);
    }
    expect(fromPhobos.get("filter")).toEqual(
      new Map<RubyValue, RubyValue>([
        ["fact", []],
        ["cf_class", []],
        ["agent", ["registration"]],
        ["identity", []],
        ["compound", []],
      ]),
    );
  });

  it("the STOMP frame carries the headers a Ruby daemon's registration carries", async () => {
    const frameFrom = (sender: string) =>
      eventually(
        () => frames.find((f) => f.headers.mc_sender === sender),
        `a registration frame from ${sender} on the broker`,
        30_000,
      );
    const fromRuby = await frameFrom("ruby-sender");
    const fromPhobos = await frameFrom("phobos-list");
    // What RabbitMQ adds on delivery differs per message; what the sender wrote must not.
    const own = (headers: Readonly<Record<string, string>>) =>
      Object.keys(headers)
        .filter((k) => !["message-id", "destination", "subscription", "redelivered"].includes(k))
        .sort();
    expect(own(fromPhobos.headers)).toEqual(own(fromRuby.headers));
    expect(fromPhobos.headers.expiration).toBe(fromRuby.headers.expiration);
    expect(fromPhobos.headers["reply-to"]).toMatch(/^\/reply-queue\/amq\.gen-/);
    expect(fromRuby.headers["reply-to"]).toMatch(/^\/reply-queue\/amq\.gen-/);
    expect(fromPhobos.headers.destination).toBe(fromRuby.headers.destination);
  });
});
