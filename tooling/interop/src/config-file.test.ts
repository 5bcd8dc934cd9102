import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrokerSettings,
  ConfigWriterError,
  renderClientConfig,
  renderServerConfig,
  type ServerConfigOptions,
  writeClientConfig,
  writeServerConfig,
} from "./config-file.js";
import { renderClassesFile, renderFactsYaml } from "./facts-file.js";
import { checkReferenceEnvironment, DEBIAN_PLUGIN_DIR } from "./reference-environment.js";

const run = promisify(execFile);

const broker: BrokerSettings = {
  connector: "rabbitmq",
  vhost: "/mcollective",
  pool: [{ host: "127.0.0.1", port: 61623, user: "mcollective", password: "marionette" }],
};

const node1: ServerConfigOptions = {
  identity: "node1",
  broker,
  security: { provider: "psk", psk: "refbench-psk" },
};

const serverPaths = {
  libdir: ["/STATE/lib", DEBIAN_PLUGIN_DIR],
  logfile: "STATE/nodes/node1/mcollectived.log",
  factsFile: "STATE/nodes/node1/facts.yaml",
  classesFile: "STATE/nodes/node1/classes.txt",
};

describe("renderServerConfig", () => {
  it("writes the settings of the captures' server.cfg, in their order", () => {
    const text = renderServerConfig(node1, serverPaths);
    expect(text).toBe(
      [
        "# mcollectived config for node1, written by @phobos/interop",
        "main_collective = mcollective",
        "collectives = mcollective",
        `libdir = /STATE/lib:${DEBIAN_PLUGIN_DIR}`,
        "identity = node1",
        "direct_addressing = 1",
        "connector = rabbitmq",
        "plugin.rabbitmq.vhost = /mcollective",
        "plugin.rabbitmq.pool.size = 1",
        "plugin.rabbitmq.pool.1.host = 127.0.0.1",
        "plugin.rabbitmq.pool.1.port = 61623",
        "plugin.rabbitmq.pool.1.user = mcollective",
        "plugin.rabbitmq.pool.1.password = marionette",
        "securityprovider = psk",
        "plugin.psk = refbench-psk",
        "logfile = STATE/nodes/node1/mcollectived.log",
        "loglevel = debug",
        "daemonize = 0",
        "factsource = yaml",
        "plugin.yaml = STATE/nodes/node1/facts.yaml",
        "classesfile = STATE/nodes/node1/classes.txt",
        "registerinterval = 0",
        "",
      ].join("\n"),
    );
  });

  it("writes a broker pool, sub-collectives, ssl keys and extra lines last", () => {
    const text = renderServerConfig(
      {
        ...node1,
        collectives: ["mcollective", "eu_collective"],
        mainCollective: "mcollective",
        broker: {
          connector: "activemq",
          pool: [
            { host: "a", port: 61613, user: "u1", password: "p1" },
            { host: "b", port: 61614, user: "u2", password: "p2", ssl: true },
          ],
        },
        security: {
          provider: "ssl",
          serverPublic: "/k/server-public.pem",
          serverPrivate: "/k/server-private.pem",
          clientCertDir: "/k/clients",
          serializer: "yaml",
        },
        extra: { "plugin.activemq.heartbeat_interval": 30, soft_shutdown: true },
      },
      serverPaths,
    );
    expect(text).toContain("collectives = mcollective,eu_collective\n");
    expect(text).toContain("connector = activemq\nplugin.activemq.pool.size = 2\n");
    expect(text).not.toContain(".vhost");
    expect(text).toContain("plugin.activemq.pool.2.host = b\nplugin.activemq.pool.2.port = 61614\n");
    expect(text).toContain("plugin.activemq.pool.2.ssl = 1\n");
    expect(text).toContain(
      "securityprovider = ssl\nplugin.ssl_serializer = yaml\nplugin.ssl_server_public = /k/server-public.pem\n" +
        "plugin.ssl_server_private = /k/server-private.pem\nplugin.ssl_client_cert_dir = /k/clients\n",
    );
    expect(text.endsWith("plugin.activemq.heartbeat_interval = 30\nsoft_shutdown = 1\n")).toBe(true);
  });

  it("refuses what Ruby's parser would drop or MCollective would refuse", () => {
    const bad: Array<[Partial<ServerConfigOptions>, RegExp]> = [
      [{ identity: "node 1" }, /identity "node 1" must match/],
      [{ mainCollective: "other" }, /main_collective "other" is not one of the collectives/],
      [{ security: { provider: "psk", psk: "" } }, /plugin\.psk: empty value/],
      [
        { security: { provider: "psk", psk: " secret" } },
        /plugin\.psk: value has leading or trailing blanks/,
      ],
      [{ extra: { loglevel: "info\nidentity = x" } }, /loglevel: value contains a line break/],
      [{ extra: ["just words"] }, /extra line "just words" is not `key = value`/],
      [{ broker: { ...broker, pool: [] } }, /broker pool is empty/],
      [{ libdir: ["relative/dir"] }, /libdir "relative\/dir" must be an absolute path/],
      [{ security: { provider: "ssl", serverPublic: "/k/p.pem" } }, /a server config needs serverPrivate/],
    ];
    for (const [override, message] of bad) {
      expect(() => renderServerConfig({ ...node1, ...override }, serverPaths)).toThrow(ConfigWriterError);
      expect(() => renderServerConfig({ ...node1, ...override }, serverPaths)).toThrow(message);
    }
  });
});

describe("renderClientConfig", () => {
  it("writes the captures' client.cfg settings: console logging at warn, no colour", () => {
    const text = renderClientConfig(
      { ...node1, identity: "refclient" },
      { libdir: ["/STATE/lib", DEBIAN_PLUGIN_DIR], factsFile: "unused" },
    );
    expect(text).toContain("identity = refclient\n");
    expect(text).toContain("plugin.psk = refbench-psk\nlogger_type = console\nloglevel = warn\ncolor = 0\n");
    expect(text).not.toContain("factsource");
    expect(text).not.toContain("daemonize");
  });

  it("writes the client's ssl key pair", () => {
    const text = renderClientConfig(
      {
        ...node1,
        security: {
          provider: "ssl",
          serverPublic: "/k/server-public.pem",
          clientPrivate: "/k/me-private.pem",
          clientPublic: "/k/me.pem",
        },
      },
      { libdir: ["/l"], factsFile: "unused" },
    );
    expect(text).toContain(
      "plugin.ssl_server_public = /k/server-public.pem\nplugin.ssl_client_private = /k/me-private.pem\n" +
        "plugin.ssl_client_public = /k/me.pem\n",
    );
  });
});

describe("facts and classes files", () => {
  it("renders YAML that keeps strings strings", () => {
    expect(renderFactsYaml({})).toBe("--- {}\n");
    expect(
      renderFactsYaml({
        mcollective: 1,
        fqdn: "node1.example.net",
        osfamily: "Debian",
        virtual: false,
        answer: "yes",
        version: "1.10",
        note: "a: b # c",
        empty: "",
        nested: { a: [1, "x"] },
      }),
    ).toBe(
      [
        "---",
        "mcollective: 1",
        "fqdn: node1.example.net",
        "osfamily: Debian",
        "virtual: false",
        'answer: "yes"',
        'version: "1.10"',
        'note: "a: b # c"',
        'empty: ""',
        'nested: {"a": [1, "x"]}',
        "",
      ].join("\n"),
    );
    expect(renderClassesFile(["base", "role::web"])).toBe("base\nrole::web\n");
    expect(() => renderClassesFile(["two\nlines"])).toThrow(/cannot be a line/);
  });

  it("round-trips through Ruby's Psych as the yaml fact source reads it", async () => {
    await checkReferenceEnvironment();
    const facts = {
      a: "yes",
      b: "No",
      c: "1.10",
      d: "2024-01-01",
      e: "a: b",
      f: "#hash",
      g: "ünïcode ✓",
      h: "~",
      i: "null",
      j: "x\ny",
      k: 'quote " and \\ backslash',
      l: "/regex/",
      "m n": "key with space",
      o: "@at",
      p: "-dash",
      q: { "a:b": ["c, d", "[e]", 1, true, null] },
    };
    const script =
      'require "yaml"; require "json"; print JSON.generate(YAML.safe_load(STDIN.read, permitted_classes: [Symbol], aliases: true))';
    const child = run("ruby", ["-e", script], { env: { ...process.env, LANG: "C.UTF-8" } });
    child.child.stdin?.end(renderFactsYaml(facts));
    expect(JSON.parse((await child).stdout)).toEqual(facts);
  });
});

describe("writeServerConfig / writeClientConfig", () => {
  let dir: string;
  beforeAll(async () => {
    await checkReferenceEnvironment();
    dir = await mkdtemp(join(tmpdir(), "phobos-config-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes config, facts, classes and the ruby-fix directory first in libdir", async () => {
    const nodeDir = join(dir, "node1");
    const file = await writeServerConfig(nodeDir, { ...node1, facts: { role: "web" }, classes: ["base"] });
    expect(file).toBe(join(nodeDir, "server.cfg"));
    const text = await readFile(file, "utf8");
    expect(text).toContain(`libdir = ${join(nodeDir, "ruby-fix")}:${DEBIAN_PLUGIN_DIR}\n`);
    expect(text).toContain(`logfile = ${join(nodeDir, "mcollectived.log")}\n`);
    expect(text).toContain(`plugin.yaml = ${join(nodeDir, "facts.yaml")}\n`);
    expect(text).toContain(`classesfile = ${join(nodeDir, "classes.txt")}\n`);
    expect(await readFile(join(nodeDir, "facts.yaml"), "utf8")).toBe("---\nrole: web\n");
    expect(await readFile(join(nodeDir, "classes.txt"), "utf8")).toBe("base\n");
    expect((await stat(join(nodeDir, "ruby-fix/mcollective/facts/yaml_facts.rb"))).isFile()).toBe(true);
  });

  it("writes a client config with its facts, and no ruby-fix when libdir is given", async () => {
    const clientDir = join(dir, "client");
    const file = await writeClientConfig(clientDir, {
      ...node1,
      identity: "me",
      libdir: ["/opt/plugins"],
      facts: { x: 1 },
    });
    const text = await readFile(file, "utf8");
    expect(text).toContain("libdir = /opt/plugins\n");
    expect(text).toContain(`factsource = yaml\nplugin.yaml = ${join(clientDir, "client-facts.yaml")}\n`);
    await expect(stat(join(clientDir, "ruby-fix"))).rejects.toThrow(/ENOENT/);
  });
});
