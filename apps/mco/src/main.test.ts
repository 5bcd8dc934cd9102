/**
 * mco in-process, with buffers for streams: what it prints and returns for
 * help and for the mistakes that must fail before anything is sent (the
 * config names a broker port nobody listens on, so any attempt to connect
 * would show up as a connection error instead).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApplicationOutput } from "@phobos/client";
import { describe, expect, it } from "vitest";
import { runMco } from "./main.js";

const dir = mkdtempSync(join(tmpdir(), "mco-main-test-"));
const configFile = join(dir, "client.cfg");
writeFileSync(
  configFile,
  [
    "main_collective = mcollective",
    "collectives = mcollective",
    "connector = rabbitmq",
    "plugin.rabbitmq.pool.size = 1",
    "plugin.rabbitmq.pool.1.host = 127.0.0.1",
    "plugin.rabbitmq.pool.1.port = 1",
    "securityprovider = psk",
    "plugin.psk = test",
    "logger_type = console",
    "loglevel = error",
    "",
  ].join("\n"),
);

function buffer(): ApplicationOutput & { text: string } {
  return {
    text: "",
    write(s: string) {
      this.text += s;
    },
    isTTY: false,
    columns: 0,
  };
}

async function mco(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = buffer();
  const stderr = buffer();
  const [app = "help", ...rest] = argv;
  const code = await runMco([app, "-c", configFile, ...rest], { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * The names of plugins that agent and application packages add (`filemgr`,
 * `puppet`, their data plugins, `registry`…): the Ruby captures know only
 * MCollective's built-ins, so lines naming an add-on are taken out of lists
 * before comparing.
 */
const ADD_ONS: ReadonlySet<string> = (() => {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    dependencies: Record<string, string>;
  };
  return new Set(
    Object.keys(pkg.dependencies)
      .filter(
        (name) =>
          (name.startsWith("@phobos/agent-") && name !== "@phobos/agent-rpcutil") ||
          (name.startsWith("@phobos/application-") && name !== "@phobos/application-builtin"),
      )
      .flatMap(
        (name) =>
          (require(`${name}/package.json`) as { mcollective?: { plugins?: { name: string }[] } }).mcollective
            ?.plugins ?? [],
      )
      .map((plugin) => plugin.name),
  );
})();
const withoutAddOns = (text: string) =>
  text
    .split("\n")
    .filter((line) => !ADD_ONS.has(/^\s*(\S+)/.exec(line)?.[1] ?? ""))
    .join("\n");

const golden = (name: string) => {
  const lines = readFileSync(new URL(`./__fixtures__/help/${name}`, import.meta.url), "utf8").split("\n");
  return `${lines
    .slice(
      1,
      lines.findIndex((l) => l.startsWith("[exit ")),
    )
    .join("\n")}\n`;
};

describe("mco help", () => {
  it("lists the applications from their manifests (23-help.txt)", async () => {
    const r = await mco(["help"]);
    expect({ ...r, stdout: withoutAddOns(r.stdout) }).toEqual({
      code: 0,
      stdout: golden("23-help.txt"),
      stderr: "",
    });
  });

  it("mco alone lists them too", async () => {
    const stdout = buffer();
    const code = await runMco([], {
      stdout,
      stderr: buffer(),
      env: { MCOLLECTIVE_EXTRA_OPTS: `-c ${configFile}` },
    });
    expect(code).toBe(0);
    expect(withoutAddOns(stdout.text)).toBe(golden("23-help.txt"));
  });

  it("help <app> and <app> --help print the same text (24-help-rpc.txt); --help exits 1, as MCollective's", async () => {
    const viaHelp = await mco(["help", "rpc"]);
    const viaFlag = await mco(["rpc", "--help"]);
    expect(viaHelp.stdout).toBe(golden("24-help-rpc.txt"));
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
    expect([viaHelp.code, viaFlag.code]).toEqual([0, 1]);
  });
});

describe("mistakes fail on one line of stderr, with exit 1, before connecting", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "an unknown command",
      ["pnig"],
      /^mco: unknown command 'pnig' \(did you mean 'ping'\?\); known commands: completion, .*\n$/,
    ],
    ["an unknown option", ["rpc", "rpcutil", "ping", "--bogus"], /^mco rpc: invalid option: --bogus\n$/],
    ["a missing argument", ["find", "--dt"], /^mco find: missing argument: --dt\n$/],
    ["a bad integer", ["ping", "-t", "soon"], /^mco ping: invalid argument: -t soon\n$/],
    ["a bad -S", ["find", "-S", "a=1 and"], /^mco find: -S "a=1 and": .* at column \d+\n$/],
    ["a bad -F", ["find", "-F", "=1"], /^mco find: -F "=1": .* at column 1\n$/],
    [
      "an unknown agent",
      ["rpc", "rpcutl", "ping"],
      /^mco rpc: Can't find DDL for agent plugin 'rpcutl' \(did you mean 'rpcutil'\?\): .*\n$/,
    ],
    [
      "an unknown action",
      ["rpc", "rpcutil", "pong"],
      /^mco rpc: rpcutil#pong: Attempted to call action pong for rpcutil but it's not declared in the DDL\n$/,
    ],
    [
      "a missing input",
      ["rpc", "rpcutil", "get_fact"],
      /^mco rpc: rpcutil#get_fact: Action get_fact needs a fact argument\n$/,
    ],
    [
      "an invalid input",
      ["rpc", "rpcutil", "get_fact", "fact=a b"],
      /^mco rpc: rpcutil#get_fact: .*fact.*\n$/,
    ],
    ["no agent or action", ["rpc"], /^No agent, action and arguments specified\n$/],
    ["a facts report without a fact", ["facts"], /^mco facts: Please specify a fact to report for\n$/],
    [
      "--display nonsense",
      ["rpc", "rpcutil", "ping", "--display", "some"],
      /^mco rpc: --display has to be one of 'ok', 'all' or 'failed'\n$/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await mco(argv);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
    });
  }

  it("a config file that does not exist", async () => {
    const stderr = buffer();
    const code = await runMco(["ping", "-c", join(dir, "missing.cfg")], {
      stdout: buffer(),
      stderr,
      env: {},
    });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^mco: .*missing\.cfg: cannot read config file: ENOENT\n$/);
  });

  it("an unreachable broker: the connection timeout, and the host:port", async () => {
    const r = await mco(["ping", "--connection-timeout", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mco ping: .*127\.0\.0\.1:1\b.*\n$/);
  });
});

describe("plugins from a libdir", () => {
  const libdirConfig = join(dir, "libdir.cfg");
  writeFileSync(
    libdirConfig,
    `${readFileSync(configFile, "utf8")}libdir = ${fileURLToPath(new URL("./__fixtures__/libdir", import.meta.url))}\n`,
  );
  const run = async (argv: string[]) => {
    const stdout = buffer();
    const stderr = buffer();
    const [app = "help", ...rest] = argv;
    const code = await runMco([app, "-c", libdirConfig, ...rest], { stdout, stderr, env: {} });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  it("plugin doc lists a JSON DDL agent and reports a broken package with the reason", async () => {
    const r = await run(["plugin", "doc"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "  legacy                    A Ruby agent Phobos can call through its JSON DDL\n",
    );
    expect(r.stdout).toMatch(/\nPlugin Load Errors:\n {2}agent\/broken {14}.*needs plugin API 99.*\n$/);
    expect(r.stderr).toBe("");
  });

  it("rpc types key=value through the DDL and validates it before connecting", async () => {
    expect((await run(["rpc", "legacy", "status", "name=x y"])).stderr).toMatch(
      /^mco rpc: legacy#status: .*name/,
    );
    expect((await run(["rpc", "legacy", "status", "name=x", "verbose=maybe"])).stderr).toBe(
      "mco rpc: legacy#status: maybe does not look like a boolean argument\n",
    );
    // Valid input gets as far as connecting (to a port nobody listens on).
    const ok = await run(["rpc", "legacy", "status", "name=x", "verbose=yes", "--connection-timeout", "1"]);
    expect(ok.stderr).toMatch(/^mco rpc: .*127\.0\.0\.1:1\b/);
  });
});

describe("applications that need no network", () => {
  it("describe_filter", async () => {
    const r = await mco(["describe_filter", "-F", "os=Debian", "-C", "base"]);
    expect(r.stdout).toBe(
      [
        "-F filter expands to the following fact comparisons:",
        "",
        "  Check if fact 'os' == 'Debian'",
        "",
        "-C filter expands to the following class checks:",
        "",
        "  Check if class 'base' is present on the host",
        "",
        "",
      ].join("\n"),
    );
  });

  it("completion", async () => {
    expect(withoutAddOns((await mco(["completion", "--list-applications"])).stdout)).toBe(
      "completion\ndescribe_filter\nfacts\nfind\nhelp\ninventory\nping\nplugin\nrpc\n",
    );
    expect(withoutAddOns((await mco(["completion", "--list-agents"])).stdout)).toBe("rpcutil\n");
    expect((await mco(["completion", "--list-actions", "-a", "rpcutil"])).stdout).toBe(
      "agent_inventory\ncollective_info\ndaemon_stats\nget_config_item\nget_data\nget_fact\nget_facts\ninventory\nping\n",
    );
    expect(
      (await mco(["completion", "--list-inputs", "--agent", "rpcutil", "--action", "get_data", "-v"])).stdout,
    ).toBe(
      "query:The query argument to supply to the data plugin\nsource:The data plugin to retrieve information from\n",
    );
    expect(await mco(["completion"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Please choose either --list-[agents|actions|inputs|applications|discovery-methods], --bash or --zsh\n",
    });
  });

  it("plugin doc", async () => {
    const list = await mco(["plugin", "doc"]);
    expect(list.code).toBe(0);
    expect(withoutAddOns(list.stdout)).toContain(
      "Agents:\n  rpcutil                   General helpful actions that expose stats and internals to SimpleRPC clients\n",
    );
    expect(list.stdout).toContain(
      "Discovery Methods:\n  flatfile                  Flatfile based discovery for node identities\n  mc                        MCollective Broadcast based discovery\n  puppetdb                  PuppetDB based discovery using PQL\n  registry                  Discovery from the node registry\n  stdin                     STDIN based discovery for node identities\n",
    );
    expect(list.stdout).toContain("  summary                   Displays the summary of a set of results\n");
    const mc = await mco(["plugin", "doc", "mc"]);
    expect(mc.stdout).toBe(
      readFileSync(new URL("./__fixtures__/22-plugin-doc-mc.txt", import.meta.url), "utf8")
        .split("\n")
        .filter((l) => !l.startsWith("$ ") && !l.startsWith("[exit ") && !l.includes("warning: Passing"))
        .join("\n"),
    );
    expect(await mco(["plugin", "doc", "nosuch"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Could not find a plugin named 'nosuch' in any supported plugin type\n",
    });
    expect((await mco(["plugin", "doc", "agent/nosuch"])).stderr).toBe(
      "Could not find a 'agent' plugin named 'nosuch'\n",
    );
    expect((await mco(["plugin"])).stderr).toBe(
      "No action specified, please run 'mco help plugin' for help\n",
    );
  });
});
