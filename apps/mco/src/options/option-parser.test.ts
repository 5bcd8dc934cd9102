import { configFromText } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "./command-line.js";
import { OptionError, OptionParser, rubyFloatArgument, rubyIntegerArgument } from "./option-parser.js";
import { HelpRequested } from "./sections.js";
import { makeSwitch } from "./switch.js";

const config = configFromText("collectives = mcollective,other\nmain_collective = mcollective\n");
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}, shape = {}) =>
  parseCommandLine(shape, argv, config, "/etc/client.cfg", env);

describe("the standard options", () => {
  it("defaults as MCollective's Util.default_options and SimpleRPC", () => {
    const { options, args } = parse([]);
    expect(args).toEqual([]);
    expect(options).toMatchObject({
      config: "/etc/client.cfg",
      verbose: false,
      timeout: 5,
      collective: "mcollective",
      discoveryOptions: [],
      progressBar: true,
      outputFormat: "console",
      threaded: false,
      sort: false,
    });
    expect(options.filter).toEqual({ fact: [], cf_class: [], agent: [], identity: [], compound: [] });
  });

  it("reads every common option in its short, long and alias forms", () => {
    const { options } = parse([
      "-T",
      "other",
      "--dt",
      "3",
      "-t",
      "9",
      "--ttl",
      "30",
      "--reply-to",
      "/queue/x",
      "--dm",
      "flatfile",
      "--do",
      "a",
      "--disc-option",
      "b",
      "--publish_timeout",
      "4",
      "--threaded",
      "--sort",
      "--connection-timeout",
      "7",
      "-v",
    ]);
    expect(options).toMatchObject({
      collective: "other",
      disctimeout: 3,
      timeout: 9,
      ttl: 30,
      replyTo: "/queue/x",
      discoveryMethod: "flatfile",
      discoveryOptions: ["a", "b"],
      publishTimeout: 4,
      threaded: true,
      sort: true,
      connectionTimeout: 7,
      verbose: true,
    });
    expect(
      parse(["--target", "other", "--discovery-timeout", "1", "--timeout=2", "--disc-method", "mc"]).options,
    ).toMatchObject({
      collective: "other",
      disctimeout: 1,
      timeout: 2,
      discoveryMethod: "mc",
    });
    expect(parse(["-v", "-q"]).options.verbose).toBe(false);
    expect(parse(["--publish-timeout", "3"]).options.publishTimeout).toBe(3);
    expect(parse(["--ttl", "12abc"]).options.ttl).toBe(12);
  });

  it("reads the RPC options", () => {
    expect(
      parse(["--np", "-1", "--batch", "10%", "--batch-sleep", "0.5", "--limit-seed", "7", "--display", "all"])
        .options,
    ).toMatchObject({
      progressBar: false,
      limitTargets: 1,
      batchSize: "10%",
      batchSleepTime: 0.5,
      limitSeed: 7,
      forceDisplayMode: "always",
    });
    expect(parse(["--limit", "3"]).options.limitTargets).toBe(3);
    expect(parse(["--ln", "25%"]).options.limitTargets).toBe("25%");
    expect(parse(["--limit-nodes", "2"]).options.limitTargets).toBe(2);
    expect(parse(["--one"]).options.limitTargets).toBe(1);
    expect(parse(["-j"]).options).toMatchObject({ outputFormat: "json", progressBar: false });
    expect(parse(["--json"]).options.outputFormat).toBe("json");
    expect(parse(["--no-progress"]).options.progressBar).toBe(false);
    expect(parse(["--display", "failed"]).options.forceDisplayMode).toBe("failed");
  });

  it("builds the filter from -W -S -F -C -A -I and their long forms, in order", () => {
    const { options } = parse([
      "-F",
      "os=Debian",
      "--wf",
      "role=/w/",
      "--with-fact",
      "n>1",
      "-C",
      "base",
      "--wc",
      "/web/",
      "--with-class",
      "x",
      "-A",
      "rpcutil",
      "--wa",
      "p",
      "--with-agent",
      "q",
      "-I",
      "n1",
      "--wi",
      "/n/",
      "--with-identity",
      "n2",
      "-W",
      "a=b klass",
      "--with",
      "c",
      "-S",
      "a=b and c",
      "--select",
      "d",
    ]);
    expect(options.filter.fact).toEqual([
      { fact: "os", value: "Debian", operator: "==" },
      { fact: "role", value: "/w/", operator: "=~" },
      { fact: "n", value: "1", operator: ">" },
      { fact: "a", value: "b", operator: "==" },
    ]);
    expect(options.filter.cf_class).toEqual(["base", "/web/", "x", "klass", "c"]);
    expect(options.filter.agent).toEqual(["rpcutil", "p", "q"]);
    expect(options.filter.identity).toEqual(["n1", "/n/", "n2"]);
    expect(options.filter.compound).toHaveLength(2);
  });

  it("--nodes means flatfile discovery of a readable file, and refuses to mix", () => {
    const file = new URL(import.meta.url).pathname;
    expect(parse(["--nodes", file]).options).toMatchObject({
      discoveryMethod: "flatfile",
      discoveryOptions: [file],
    });
    expect(() => parse(["--nodes", "/nonexistent/nodes"])).toThrow(
      "Cannot read the discovery file /nonexistent/nodes",
    );
    expect(() => parse(["--dm", "mc", "--nodes", file])).toThrow(
      "Cannot mix --disc-method, --disc-option and --nodes",
    );
    expect(() => parse(["--dm", "mc", "--dm", "flatfile"])).toThrow(
      "Discovery method is already set by a competing option",
    );
    expect(parse(["--dm", "mc", "--dm", "mc"]).options.discoveryMethod).toBe("mc");
  });

  it("keeps positional words in order wherever they are, and stops at --", () => {
    expect(parse(["rpcutil", "-v", "get_fact", "fact=x", "--", "-t", "3"]).args).toEqual([
      "rpcutil",
      "get_fact",
      "fact=x",
      "-t",
      "3",
    ]);
    expect(parse(["-"]).args).toEqual(["-"]);
  });
});

describe("the early ends of discovery", () => {
  it("reads --discovery-window as seconds and --discovery-expected as a method", () => {
    const o = parse(["--discovery-window", "0.3", "--discovery-expected", "flatfile"]).options;
    expect(o).toMatchObject({ discoveryWindow: 0.3, discoveryExpected: "flatfile" });
    expect(parse([]).options).toMatchObject({ discoveryWindow: undefined, discoveryExpected: undefined });
  });

  it("refuses a window that is not a number of seconds, or below 0", () => {
    expect(() => parse(["--discovery-window", "soon"])).toThrow("--discovery-window");
    expect(() => parse(["--discovery-window", "-1"])).toThrow(
      "--discovery-window must be 0 or more seconds, not -1",
    );
  });
});

describe("OptionParser's ways", () => {
  it("completes abbreviated long options, the shortest when the others extend it", () => {
    expect(parse(["--verb"]).options.verbose).toBe(true);
    expect(parse(["--lim", "4"]).options.limitTargets).toBe(4);
    expect(parse(["--dis-t", "6"]).options.disctimeout).toBe(6);
    expect(parse(["--VERBOSE"]).options.verbose).toBe(true);
    expect(() => parse(["--d", "1"])).toThrow("ambiguous option: --d");
  });

  it("bundles short flags and takes attached short arguments", () => {
    expect(parse(["-vt5"]).options).toMatchObject({ verbose: true, timeout: 5 });
    expect(parse(["-t7"]).options.timeout).toBe(7);
    expect(parse(["-1v"]).options).toMatchObject({ limitTargets: 1, verbose: true });
  });

  it("converts Integer and Float as Ruby does", () => {
    expect(rubyIntegerArgument("10")).toBe(10);
    expect(rubyIntegerArgument("0x10")).toBe(16);
    expect(rubyIntegerArgument("0b101")).toBe(5);
    expect(rubyIntegerArgument("010")).toBe(8);
    expect(rubyIntegerArgument("1_000")).toBe(1000);
    expect(rubyIntegerArgument("-3")).toBe(-3);
    expect(rubyIntegerArgument("08")).toBeUndefined();
    expect(rubyIntegerArgument("1.5")).toBeUndefined();
    expect(rubyIntegerArgument("")).toBeUndefined();
    expect(rubyFloatArgument("1e2")).toBe(100);
    expect(rubyFloatArgument(".5")).toBe(0.5);
    expect(rubyFloatArgument("1.")).toBe(1);
    expect(rubyFloatArgument("x")).toBeUndefined();
  });

  it("says what is wrong in Ruby's words", () => {
    expect(() => parse(["--bogus"])).toThrow(new OptionError("invalid option: --bogus"));
    expect(() => parse(["-x"])).toThrow("invalid option: -x");
    expect(() => parse(["-t"])).toThrow("missing argument: -t");
    expect(() => parse(["--timeout"])).toThrow("missing argument: --timeout");
    expect(() => parse(["-t", "abc"])).toThrow("invalid argument: -t abc");
    expect(() => parse(["--timeout=abc"])).toThrow("invalid argument: --timeout=abc");
    expect(() => parse(["-tabc"])).toThrow("invalid argument: -tabc");
    expect(() => parse(["--sort=yes"])).toThrow("needless argument: --sort=yes");
    expect(() => parse(["--batch", "0%"])).toThrow("invalid argument: --batch 0%");
    expect(() => parse(["--limit", "x"])).toThrow("Invalid limit specified: x");
    expect(() => parse(["--display", "some"])).toThrow("--display has to be one of 'ok', 'all' or 'failed'");
  });

  it("suggests the long names Ruby's OptionParser would, in definition order", () => {
    expect(() => parse(["--with-identoty", "x"])).toThrow(
      new OptionError("invalid option: --with-identoty (did you mean '--with-identity'?)"),
    );
    expect(() => parse(["--with_fct", "x"])).toThrow(
      "invalid option: --with_fct (did you mean '--with-fact'?)",
    );
    expect(() => parse(["--w"])).toThrow(
      "ambiguous option: --w (did you mean '--wf', '--wc', '--wa' or '--wi'?)",
    );
    // A short letter no switch has is looked up among the long names, as Ruby does.
    expect(() => parse(["-w"])).toThrow(
      "ambiguous option: -w (did you mean '--wf', '--wc', '--wa' or '--wi'?)",
    );
    expect(() => parse(["--zzzzz"])).toThrow(new OptionError("invalid option: --zzzzz"));
    expect(() => parse(["--agnt"], {}, { excludeSections: ["filter"] })).toThrow(
      new OptionError("invalid option: --agnt"),
    );
    expect(() => parse([], { MCOLLECTIVE_EXTRA_OPTS: "--verbsoe" })).toThrow(
      "invalid option: --verbsoe (did you mean '--verbose'?) (in MCOLLECTIVE_EXTRA_OPTS)",
    );
  });

  it("reports a filter that does not parse with the option, its text and the column", () => {
    expect(() => parse(["-S", "role=web and"])).toThrow(
      /^-S "role=web and": Parse errors found while parsing -S input: .* at column \d+$/,
    );
    expect(() => parse(["-F", "=x"])).toThrow(/^-F "=x": Could not parse fact =x .* at column 1$/);
  });

  it("-h asks for help", () => {
    expect(() => parse(["-h"])).toThrow(HelpRequested);
    expect(() => parse(["--help"])).toThrow(HelpRequested);
  });

  it("a --no- switch means false, and the switch's other names too", () => {
    const seen: unknown[] = [];
    const parser = new OptionParser();
    parser.on(
      makeSwitch({ arguments: ["--no-results", "--nr"], description: "", handle: (v) => seen.push(v) }),
    );
    parser.parse(["--no-results", "--nr"]);
    expect(seen).toEqual([false, false]);
    expect(() => parser.parse(["--results"])).toThrow("invalid option: --results");
  });

  it("[ARG] takes the next word unless it looks like an option", () => {
    const seen: unknown[] = [];
    const parser = new OptionParser();
    parser.on(
      makeSwitch({
        arguments: "--actions [ACTIONS]",
        description: "",
        conversion: "list",
        handle: (v) => seen.push(v),
      }),
    );
    parser.on(makeSwitch({ arguments: "-v", description: "", handle: (v) => seen.push(v) }));
    expect(parser.parse(["--actions", "a,b", "--actions", "-v", "--actions"])).toEqual([]);
    expect(seen).toEqual([["a", "b"], undefined, true, undefined]);
  });
});

describe("MCOLLECTIVE_EXTRA_OPTS", () => {
  it("is parsed first, so the command line overrides it; its positional words are ignored", () => {
    const env = { MCOLLECTIVE_EXTRA_OPTS: "--dt 4 -t 8 -I 'node one' stray" };
    const { options, args } = parse(["-t", "2", "word"], env);
    expect(options).toMatchObject({ disctimeout: 4, timeout: 2 });
    expect(options.filter.identity).toEqual(["node one"]);
    expect(args).toEqual(["word"]);
  });

  it("names itself when it holds a bad option", () => {
    expect(() => parse([], { MCOLLECTIVE_EXTRA_OPTS: "--bogus" })).toThrow(
      "invalid option: --bogus (in MCOLLECTIVE_EXTRA_OPTS)",
    );
  });
});

describe("application options", () => {
  const shape = {
    options: [
      {
        name: "show_results",
        description: "x",
        arguments: ["--no-results", "--nr"],
        default: true,
        type: "bool" as const,
      },
      { name: "agent", description: "x", arguments: ["-a", "--agent AGENT"] },
      {
        name: "arguments",
        description: "x",
        arguments: ["--arg", "--argument ARGUMENT"],
        type: "array" as const,
        default: [],
        validate: (v: unknown) => (/=/.test(String(v)) ? (true as const) : `bad ${String(v)}`),
      },
      { name: "count", description: "x", arguments: "--count N", type: "integer" as const },
      { name: "need", description: "x", arguments: "--need X", required: true },
    ],
  };

  it("sets defaults, converts, collects arrays and validates", () => {
    const { configuration } = parse(
      ["--nr", "-a", "rpcutil", "--arg", "a=1", "--argument", "b=2", "--count", "3", "--need", "y"],
      {},
      shape,
    );
    expect(configuration).toEqual({
      show_results: false,
      agent: "rpcutil",
      arguments: ["a=1", "b=2"],
      count: 3,
      need: "y",
    });
    expect(() => parse(["--need", "y", "--arg", "nope"], {}, shape)).toThrow(
      "Validation of arguments failed: bad nope",
    );
  });

  it("refuses a missing mandatory option", () => {
    expect(() => parse([], {}, shape)).toThrow("The need option is mandatory");
  });

  it("leaves out the sections an application excludes", () => {
    expect(() => parse(["-t", "3"], {}, { excludeSections: ["common"] })).toThrow("invalid option: -t");
    expect(() => parse(["-F", "a=b"], {}, { excludeSections: ["filter"] })).toThrow("invalid option: -F");
    expect(() => parse(["--np"], {}, { excludeSections: ["rpc"] })).toThrow("invalid option: --np");
    expect(parse(["-v"], {}, { excludeSections: ["rpc", "common", "filter"] }).options.verbose).toBe(true);
  });
});
