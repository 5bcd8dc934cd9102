import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { configFromText, loadConfig, pluginSettings } from "./config.js";
import { configItem } from "./config-item.js";
import { parseConfigText, splitShellWords } from "./parse.js";

const captured = `# mco client config, written by setup-reference.sh
main_collective = mcollective
collectives = mcollective
libdir = /state/lib:/usr/share/mcollective/plugins
identity = refclient
direct_addressing = 1
connector = rabbitmq
plugin.rabbitmq.vhost = /mcollective
plugin.rabbitmq.pool.size = 1
plugin.rabbitmq.pool.1.host = 127.0.0.1
plugin.rabbitmq.pool.1.port = 61624
securityprovider = psk
plugin.psk = refbench-psk
logger_type = console
loglevel = warn
color = 0
factsource = yaml
`;

function expectConfigError(fn: () => unknown, pattern: RegExp): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(pattern);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("reads MCollective's client.cfg as captured from the reference", () => {
    const c = configFromText(captured, "/etc/mcollective/client.cfg");
    expect(c.identity).toBe("refclient");
    expect(c.collectives).toEqual(["mcollective"]);
    expect(c.libdir).toEqual(["/state/lib", "/usr/share/mcollective/plugins"]);
    expect(c.connector).toBe("rabbitmq");
    expect(c.directAddressing).toBe(true);
    expect(c.loggerType).toBe("console");
    expect(c.loglevel).toBe("warn");
    expect(c.color).toBe(false);
    expect(c.pluginConf.get("rabbitmq.pool.1.port")).toBe("61624");
    expect(c.pluginConf.get("psk")).toBe("refbench-psk");
    const rabbit = pluginSettings(c, "rabbitmq");
    expect(rabbit.integer("pool.size")).toBe(1);
    expect(rabbit.string("vhost")).toBe("/mcollective");
  });

  it("has MCollective 2.12's defaults", () => {
    const c = configFromText("", "/x/client.cfg");
    expect(c).toMatchObject({
      connector: "activemq",
      securityProvider: "psk",
      factSource: "yaml",
      collectives: ["mcollective"],
      mainCollective: "mcollective",
      ttl: 60,
      directAddressing: true,
      directAddressingThreshold: 10,
      factCacheTime: 300,
      publishTimeout: 2,
      rpcLimitMethod: "first",
      defaultDiscoveryMethod: "mc",
      loglevel: "info",
      loggerType: "file",
      keeplogs: 5,
      maxLogSize: 2097152,
      classesFile: "/var/lib/puppet/state/classes.txt",
      defaultBatchSize: 0,
      defaultBatchSleepTime: 1,
      configDir: "/x",
    });
    expect(c.discoveryTimeout).toBeUndefined();
  });

  it("accumulates libdir and default_discovery_options, later keys win", () => {
    const c = configFromText(
      "libdir = /a\nlibdir = /b:/c\nttl = 10\nttl = 20\ndefault_discovery_options = x\ndefault_discovery_options = y\n",
    );
    expect(c.libdir).toEqual(["/a", "/b", "/c"]);
    expect(c.ttl).toBe(20);
    expect(c.defaultDiscoveryOptions).toEqual(["x", "y"]);
  });

  it("names file, line and key for a malformed line or bad value", () => {
    let e = expectConfigError(
      () => configFromText("ttl = 60\nthis is not a setting\n", "/e/client.cfg"),
      /expected 'key = value'/,
    );
    expect(e.file).toBe("/e/client.cfg");
    expect(e.line).toBe(2);
    e = expectConfigError(
      () => configFromText("ttl = sixty", "/e/c.cfg"),
      /\/e\/c\.cfg:1: ttl: could not parse 'sixty': expected a whole number/,
    );
    expect(e.key).toBe("ttl");
    expectConfigError(
      () => configFromText("direct_addressing = maybe"),
      /direct_addressing: could not parse 'maybe': expected a boolean/,
    );
    expectConfigError(
      () => configFromText("identity = bad name!"),
      /identity: 'bad name!' identities can only contain/,
    );
    expectConfigError(
      () => configFromText("libdir = relative/path"),
      /libdir paths should be absolute paths but 'relative\/path' is relative/,
    );
    expectConfigError(() => configFromText("loglevel = verbose"), /loglevel: 'verbose' must be one of debug/);
    expectConfigError(() => configFromText("ttl ="), /ttl: has no value/);
    expectConfigError(
      () => configFromText("main_collective = other"),
      /main_collective: 'other' is not one of the collectives \(mcollective\)/,
    );
  });

  it("reads the early ends of discovery: discovery_window, discovery_expected and its options", () => {
    expect(configFromText("")).toMatchObject({
      discoveryWindow: 0,
      discoveryExpected: "",
      discoveryExpectedOptions: [],
    });
    const c = configFromText(
      "discovery_window = 0.3\ndiscovery_expected = Flatfile\ndiscovery_expected_options = /etc/nodes\n",
    );
    expect(c).toMatchObject({
      discoveryWindow: 0.3,
      discoveryExpected: "flatfile",
      discoveryExpectedOptions: ["/etc/nodes"],
    });
    expectConfigError(
      () => configFromText("discovery_window = -1", "/w.cfg"),
      /discovery_window: '-1' must be a number of seconds, 0 or more/,
    );
    expectConfigError(() => configFromText("discovery_window = soon"), /discovery_window: '?soon/);
  });

  it("refuses unknown keys, suggesting the likely one", () => {
    expectConfigError(
      () => configFromText("direct_adressing = 1", "/f.cfg"),
      /\/f\.cfg:1: direct_adressing: unknown config parameter \(did you mean 'direct_addressing'\?\)/,
    );
  });

  it("ignores deprecated keys with a warning, as MCollective did", () => {
    const c = configFromText("topicprefix = /topic/\n", "/d.cfg");
    expect(c.warnings[0]).toMatch(/\/d\.cfg:1: use of deprecated 'topicprefix' option/);
  });

  it("reads plugin.d/<name>.cfg beside the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-config-"));
    mkdirSync(join(dir, "plugin.d"));
    writeFileSync(join(dir, "server.cfg"), "identity = node1\nplugin.rabbitmq.vhost = /x\n");
    writeFileSync(join(dir, "plugin.d", "rabbitmq.cfg"), "# pool\npool.size = 2\npool.1.host = b1\n");
    writeFileSync(join(dir, "plugin.d", "not-a-plugin.txt"), "garbage");
    const c = loadConfig(join(dir, "server.cfg"));
    expect(c.pluginConf.get("rabbitmq.pool.size")).toBe("2");
    expect(c.pluginConf.get("rabbitmq.vhost")).toBe("/x");
    const bad = pluginSettings(configFromText("plugin.rabbitmq.pool.size = two", "/s.cfg"), "rabbitmq");
    expect(() => bad.integer("pool.size")).toThrow(
      /\/s\.cfg:1: plugin\.rabbitmq\.pool\.size: 'two' is not a whole number/,
    );
  });

  it("says which file could not be read", () => {
    expectConfigError(
      () => loadConfig("/nonexistent/client.cfg"),
      /\/nonexistent\/client\.cfg: cannot read config file: ENOENT/,
    );
  });

  it("answers get_config_item like a Ruby daemon", () => {
    const c = configFromText("connector = rabbitmq\nrpclimitmethod = random\nplugin.psk = x\n");
    expect(configItem(c, "connector")).toEqual({ found: true, value: "Rabbitmq" });
    expect(configItem(c, "rpclimitmethod").value).toBe(Symbol.for("random"));
    expect(configItem(c, "no_such_item")).toEqual({ found: false });
  });
});

describe("cfg text and shell words", () => {
  it("keeps values verbatim and skips comments", () => {
    expect(parseConfigText("# c\n  # indented comment\nk = a = b  \n\n", "f")).toEqual([
      { key: "k", value: "a = b", file: "f", line: 3 },
    ]);
  });

  it("splits MCOLLECTIVE_EXTRA_OPTS like Ruby's Shellwords", () => {
    expect(splitShellWords(`-F 'os=Debian Linux' --dt 3 -S "a=\\"b\\" and c"`)).toEqual([
      "-F",
      "os=Debian Linux",
      "--dt",
      "3",
      "-S",
      'a="b" and c',
    ]);
    expect(() => splitShellWords("-F 'open")).toThrow(/unmatched '/);
  });
});
