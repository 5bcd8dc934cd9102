/**
 * Differential tests against the reference implementation: one Ruby process
 * loads Debian's MCollective 2.12.5 and answers, through MCollective's own
 * classes, the same questions asked of Phobos here — what every shipped DDL
 * contains and how `mco plugin doc` renders it, which addresses IPAddr
 * accepts, what the validators say, how requests validate, how text becomes
 * numbers, how Util.align_text wraps. Without Ruby or MCollective these
 * tests fail, by design: the reference is part of the test environment.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RubyFloat, RubyRegex, rubyFloatToS, rubyInspect, rubyToS } from "@phobos/ruby";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { alignText } from "./align-text.js";
import { defineAgentDdl } from "./define.js";
import { rubyIpFamily } from "./ip-address.js";
import { readDdlFile } from "./read-file.js";
import { renderDdlHelp } from "./render.js";
import { parseRubyDdl } from "./ruby-ddl.js";
import { rubyVersionCmp } from "./ruby-values.js";
import { stringToBoolean, stringToNumber } from "./typed-strings.js";
import type { AgentDdl, Ddl, DdlInput, DdlOutput } from "./types.js";
import { defaultOutputs, setDefaultInputs, validateRpcRequest } from "./validate.js";
import { type Validation, validateValue } from "./validators.js";

const LIBDIR = "/usr/lib/ruby/vendor_ruby";
const PROVISION = "run `sh tooling/scripts/provision.sh`";
const ORACLE = fileURLToPath(new URL("./__fixtures__/ruby-reference.rb", import.meta.url));

/** Ruby values as they travel to and from the oracle. */
type Enc =
  | { str: string }
  | { int: string }
  | { float: string }
  | { sym: string }
  | { nil: true }
  | { bool: boolean }
  | { re: string; opts?: string }
  | { arr: Enc[] }
  | { hash: [Enc, Enc][] };

const str = (s: string): Enc => ({ str: s });
const int = (n: number | bigint): Enc => ({ int: String(n) });
const flt = (f: string): Enc => ({ float: f });
const sym = (s: string): Enc => ({ sym: s });
const nil: Enc = { nil: true };
const bool = (b: boolean): Enc => ({ bool: b });
const re = (src: string, opts = ""): Enc => ({ re: src, opts });
const arr = (...items: Enc[]): Enc => ({ arr: items });
const hash = (...pairs: [Enc, Enc][]): Enc => ({ hash: pairs });

/**
 * A Ruby value as Phobos carries it (Marshal conventions: JS symbols, RubyFloat
 * for integral floats); hashes become plain objects, or Maps keeping their keys.
 */
function value(e: Enc, maps = false): unknown {
  if ("str" in e) return e.str;
  if ("int" in e) {
    const b = BigInt(e.int);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  if ("float" in e) {
    const f = Number(e.float);
    return Number.isInteger(f) ? new RubyFloat(f) : f;
  }
  if ("sym" in e) return Symbol.for(e.sym);
  if ("nil" in e) return null;
  if ("bool" in e) return e.bool;
  if ("re" in e) return new RubyRegex(e.re, e.opts ?? "", true);
  if ("arr" in e) return e.arr.map((x) => value(x, maps));
  if (maps) return new Map(e.hash.map(([k, v]) => [value(k, true), value(v, true)]));
  return Object.fromEntries(e.hash.map(([k, v]) => [rubyToS(value(k)), value(v)]));
}

/** A Ruby `:validation` as the model holds it: Symbol → validator name, String → pattern. */
function validation(e: Enc): Validation {
  if ("sym" in e) return e.sym;
  if ("str" in e) return new RubyRegex(e.str);
  if ("nil" in e) return null;
  if ("arr" in e) return e.arr.map((x) => value(x));
  return value(e) as Validation;
}

function outcome(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

function listDdls(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listDdls(join(dir, d.name)) : d.name.endsWith(".ddl") ? [join(dir, d.name)] : [],
  );
}

// --------------------------------------------------------------- the questions

const IPS = [
  "10.0.0.1",
  "10.0.0.1/24",
  "10.0.0.1/0",
  "10.0.0.1/32",
  "10.0.0.1/33",
  "10.0.0.1/08",
  "10.0.0.1/255.255.255.0",
  "10.0.0.1/255.0.255.0",
  "10.0.0.1/255.255.255.256",
  "10.0.0.1/::",
  "10.0.0.1/ 8",
  "10.0.0.1/24/3",
  "10.0.0",
  "1.2.3.256",
  "01.2.3.4",
  "1.2.3.04",
  "0.0.0.0",
  "255.255.255.255",
  " 10.0.0.1",
  "10.0.0.1 ",
  "10.0.0.1\n",
  "abc",
  "",
  "::",
  "::1",
  "::1/128",
  "::1/129",
  "::1/ffff::",
  "[::1]",
  "[::1]/64",
  "[10.0.0.1]",
  "fe80::1%eth0",
  "fe80::1%eth0/64",
  "fe80::1%",
  "1.2.3.4%eth0",
  "::ffff:1.2.3.4",
  "::ffff:01.2.3.4",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7::",
  "1::2::3",
  "FE80::ABCD",
  "gggg::1",
  "1:2:3:4:5::1.2.3.4",
  "1:2:3:4:5:6::1.2.3.4",
  "::0:0:0:0:0:0.0.0.0",
  // Random addresses too: IPAddr's rules for compressed forms and embedded IPv4 are easy to get subtly wrong.
  ...fc.sample(fc.ipV6(), { numRuns: 300, seed: 20251124 }),
  ...fc.sample(fc.ipV4Extended(), { numRuns: 100, seed: 20251124 }),
  ...fc.sample(
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 130 })).map(([ip, n]) => `${ip}/${n}`),
    { numRuns: 100, seed: 7 },
  ),
];

const ALIGN = [
  { text: "short line", cols: 80, pre: 3 },
  {
    text: "This is a long line of usage text that certainly goes past the eighty column limit of a terminal window and so must wrap.",
    cols: 80,
    pre: 3,
  },
  {
    text: "  Indented text that is long enough to wrap around at least once when printed with a small preamble of three spaces\n  and a second line\n\n  after a blank",
    cols: 80,
    pre: 3,
  },
  { text: `${"word ".repeat(40)}\n    next`, cols: 40, pre: 5 },
  { text: "a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(5), cols: 30, pre: 2 },
  { text: "\n\nleading blank lines\n\n", cols: 80, pre: 3 },
  { text: "x", cols: 3, pre: 5 },
];

const VALIDATE: { value: Enc; validation: Enc }[] = [
  { value: str("hello"), validation: sym("shellsafe") },
  ...["`", "$", ";", "|", "&&", ">", "<", "a & b", "a`b;c"].map((s) => ({
    value: str(`x${s}y`),
    validation: sym("shellsafe"),
  })),
  { value: int(1), validation: sym("shellsafe") },
  { value: str("10.0.0.1"), validation: sym("ipv4address") },
  { value: str("::1"), validation: sym("ipv4address") },
  { value: str("::1"), validation: sym("ipv6address") },
  { value: str("10.0.0.1"), validation: sym("ipv6address") },
  { value: int(5), validation: sym("ipv4address") },
  { value: str("abc"), validation: str("^a") },
  { value: str("abc"), validation: str("^b") },
  { value: str("x\nabc"), validation: str("^abc$") },
  { value: str("abc\n"), validation: str("^abc$") },
  { value: str("abc\r\n"), validation: str("^abc$") },
  { value: str("ab"), validation: str("\\Aab\\z") },
  { value: str("ab\n"), validation: str("\\Aab\\z") },
  { value: str("ab\n"), validation: str("\\Aab\\Z") },
  { value: str("\u00a0"), validation: str("^\\s$") },
  { value: str("é"), validation: str("^\\w$") },
  { value: str("é"), validation: str("^[[:alpha:]]$") },
  { value: str("a1F"), validation: str("^\\h+$") },
  { value: str("a{b"), validation: str("a{b") },
  { value: str("ab"), validation: re("^A", "i") },
  { value: str("b"), validation: re("^a$") },
  { value: str("x-y"), validation: str("^[\\w\\-\\.]+$") },
  { value: str("x y"), validation: str("^[\\w\\-\\.]+$") },
  { value: str("K"), validation: re("\u212a", "i") },
  { value: str("😀"), validation: str("^.$") },
  { value: int(1), validation: sym("integer") },
  { value: flt("1.0"), validation: sym("integer") },
  { value: flt("1.5"), validation: sym("float") },
  { value: int(1), validation: sym("float") },
  { value: int(1), validation: sym("number") },
  { value: flt("2.5"), validation: sym("number") },
  { value: str("1"), validation: sym("number") },
  { value: bool(true), validation: sym("boolean") },
  { value: str("true"), validation: sym("boolean") },
  { value: str("s"), validation: sym("string") },
  { value: sym("s"), validation: sym("string") },
  { value: nil, validation: sym("string") },
  { value: int("123456789012345678901234567890" as unknown as number), validation: sym("integer") },
  { value: str("a"), validation: arr(str("a"), str("b")) },
  { value: str("c"), validation: arr(str("a"), str("b"), int(1)) },
  { value: int(1), validation: arr(flt("1.0")) },
  { value: str("c"), validation: arr(str("a"), arr(str("b"), str("c"))) },
  { value: str("x"), validation: sym("nosuchvalidator") },
  { value: str("x"), validation: sym("regex") },
  { value: str("x"), validation: sym("length") },
  { value: str("x"), validation: nil },
  // Pattern semantics the translation to JavaScript must keep.
  ...(
    [
      ["a\rb", "a.b"],
      ["a\nb", "a.b"],
      ["ok\u2028", "^ok$"],
      ["-_@ ", String.raw`^\-\_\@\ $`],
      ["a{b}", "a{b}"],
      ["aa", "^a{,2}$"],
      ["aaa", "^a{,2}$"],
      ["]", "]"],
      ["aa", String.raw`^(?<w>a)\k<w>$`],
      ["aa", String.raw`^(?'w'a)\k'w'$`],
      ["aab", String.raw`^(a)\1(?=b)(?!c)(?<=a)b$`],
      ["ab", "^a(?#note)b$"],
      ["A\u00e9\t", String.raw`^\x41\u00e9\t$`],
      ["abc", String.raw`^\p{Alpha}+$`],
      ["1 2", "^[[:digit:][:space:]]+$"],
      ["1", "^[[:^alpha:]]$"],
      ["g", String.raw`^\H$`],
      ["\t", String.raw`^[\s]$`],
      ["ab", String.raw`^[^\n]b`],
      ["a.b", String.raw`a\.b`],
      ["a/b", "a/b"],
      ["x", "x|"],
      ["é", String.raw`^\w$`],
      ["ÉCOLE", "^école$"],
    ] as const
  ).map(([text, pattern]) => ({ value: str(text), validation: str(pattern) })),
  { value: str("ÉCOLE"), validation: re("^école$", "i") },
];

const REQUESTS: { action: string; data: Enc }[] = [
  { action: "nope", data: hash() },
  { action: "get_fact", data: hash() },
  { action: "get_fact", data: hash([str("fact"), str("operatingsystem")]) },
  { action: "get_fact", data: hash([str("fact"), int(1)]) },
  { action: "get_fact", data: hash([str("fact"), str("a b")]) },
  { action: "get_fact", data: hash([str("fact"), str("a".repeat(41))]) },
  { action: "get_fact", data: hash([str("fact"), str("a".repeat(40))]) },
  { action: "get_fact", data: hash([str("fact"), str("ok\n; rm -rf /")]) },
  { action: "get_fact", data: hash([str("fact"), str("x")], [str("extra"), int(1)]) },
  { action: "get_fact", data: hash([str("fact"), nil]) },
  { action: "get_facts", data: hash([str("facts"), str("a, b,c")]) },
  { action: "get_facts", data: hash([str("facts"), str("a,,b")]) },
  { action: "get_data", data: hash([str("source"), str("fstat")]) },
  { action: "get_data", data: hash([str("query"), str("/etc/hosts")]) },
  { action: "get_data", data: hash([str("source"), str("fstat")], [str("query"), str("")]) },
  { action: "get_config_item", data: hash([str("item"), str("x".repeat(51))]) },
  { action: "ping", data: hash([str("anything"), bool(true)]) },
];

const META = `metadata :name => "case", :description => "d", :author => "a", :license => "l", :version => "1",
         :url => "u", :timeout => 1
`;

const DEFAULTS = [
  {
    ddl: `${META}action "a", :description => "d" do
  input :req, :prompt => "p", :description => "d", :type => :integer, :optional => false, :default => 5
  input :opt, :prompt => "p", :description => "d", :type => :string, :validation => '.', :maxlength => 0,
        :optional => true, :default => "never"
  input :flag, :prompt => "p", :description => "d", :type => :boolean, :optional => false, :default => false
  input :none, :prompt => "p", :description => "d", :type => :string, :validation => '.', :maxlength => 0,
        :optional => false
  output :o, :description => "d", :display_as => "O", :default => [1, {:a => "b"}]
  output :p, :description => "d", :display_as => "P"
  output :q, :description => "d", :display_as => "Q", :default => 2.0
end`,
    action: "a",
    args: hash([str("flag"), bool(true)]),
  },
  { ddl: `${META}action "a", :description => "d" do\nend`, action: "missing", args: hash() },
];

const NUMBERS = [
  "1",
  "15",
  "1.5",
  "1.0",
  "01",
  "-1",
  "1e3",
  "1.",
  ".5",
  " 1",
  "12\nabc",
  "abc\n1.5",
  "1_000",
  "99999999999999999999",
  "x",
  "",
];
const BOOLEANS = ["true", "T", "Yes", "y", "1", "false", "F", "NO", "n", "0", "maybe", "", "TRUE"];
const VERSIONS: [string, string][] = [
  ["2.12.5", "2.2.1"],
  ["2.2.1", "2.12.5"],
  ["2.12.5", "2.12.5"],
  ["2.12.5", "2.12.10"],
  ["1.0", "1.0.0"],
  ["1.0-rc1", "1.0"],
  ["1.a", "1.B"],
  ["01", "1"],
];
const FLOATS = [
  "1.0",
  "1.5",
  "100.0",
  "1e15",
  "999999999999999.0",
  "1e16",
  "0.0001",
  "0.00001",
  "-0.0",
  "1e100",
  "123456789.123456789",
  "0.1",
  "2.5e-7",
  "1.7976931348623157e308",
];
const INSPECT: Enc[] = [
  hash([str("a"), int(1)], [sym("b"), arr(int(1), nil, flt("2.0"))]),
  str('quote " back \\ tab \t nl \n esc \u001b #{x} #$y #@z # c'),
  arr(),
  hash(),
  sym("a b"),
  sym("ok?"),
  bool(false),
];

interface RubyDdl {
  path: string;
  error?: string;
  kind: string;
  meta: Record<string, unknown>;
  requirements: Record<string, unknown>;
  usage: string;
  entities: Record<string, unknown>;
  help: string;
}

interface Reference {
  ddls: RubyDdl[];
  ips: (4 | 6 | null)[];
  align: (string | { error: string })[];
  validate: string[];
  requests: string[];
  defaults: { args: Enc; reply: Enc }[];
  numbers: (Enc | { error: string })[];
  booleans: (Enc | { error: string })[];
  versions: number[];
  floats: string[];
  inspect: [string, string][];
}

function askRuby(question: object): Reference {
  if (!existsSync(join(LIBDIR, "mcollective.rb"))) {
    throw new Error(`Debian's MCollective is not installed in ${LIBDIR}: ${PROVISION}`);
  }
  const r = spawnSync("ruby", [ORACLE], {
    input: JSON.stringify(question),
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`cannot run ruby (${r.error.message}): ${PROVISION}`);
  if (r.status !== 0)
    throw new Error(`the Ruby reference failed (exit ${r.status}): ${r.stderr}\n${PROVISION}`);
  return JSON.parse(r.stdout) as Reference;
}

// ------------------------------------------------ the model in the oracle's shape

function plain(v: unknown): unknown {
  if (v instanceof RubyFloat) return { $float: v.value };
  if (typeof v === "number" && !Number.isInteger(v)) return { $float: v };
  if (v instanceof RegExp) return { $regexp: rubyToS(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function normalInput(i: DdlInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prompt: i.prompt,
    description: i.description,
    type: i.type,
    optional: i.optional,
  };
  if (i.default !== undefined) out.default = plain(i.default);
  if (i.validation !== undefined) {
    out.validation =
      typeof i.validation === "string"
        ? { validator: i.validation }
        : i.validation instanceof RubyRegex
          ? { pattern: i.validation.rubySource, text: i.validation.toRubyString() }
          : { pattern: i.validation.source, text: i.validation.source };
  }
  if (i.maxlength !== undefined) out.maxlength = i.maxlength;
  if (i.list !== undefined) out.list = plain(i.list);
  return out;
}

function normalOutput(o: DdlOutput): Record<string, unknown> {
  const out: Record<string, unknown> = { description: o.description, display_as: o.display_as };
  if (o.default !== undefined) out.default = plain(o.default);
  return out;
}

const mapValues = <T>(r: Record<string, T>, f: (v: T) => unknown) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

function normal(ddl: Ddl): Omit<RubyDdl, "path" | "help"> {
  let entities: Record<string, unknown> = {};
  if (ddl.kind === "agent") {
    entities = mapValues(ddl.actions, (a) => ({
      description: a.description,
      display: a.display,
      input: mapValues(a.input, normalInput),
      output: mapValues(a.output, normalOutput),
      ...(a.aggregate ? { aggregate: plain(a.aggregate) } : {}),
    }));
  } else if (ddl.kind === "data") {
    entities = {
      description: ddl.dataquery.description,
      input: mapValues(ddl.dataquery.input as Record<string, DdlInput>, normalInput),
      output: mapValues(ddl.dataquery.output, normalOutput),
    };
  } else if (ddl.kind === "discovery") {
    entities = { capabilities: [...ddl.discovery.capabilities] };
  }
  return {
    kind: ddl.kind,
    meta: plain(ddl.metadata) as Record<string, unknown>,
    requirements: { ...ddl.requires },
    usage: ddl.usage ?? "",
    entities,
  };
}

// ------------------------------------------------------------------- the tests

const files = existsSync(join(LIBDIR, "mcollective")) ? listDdls(join(LIBDIR, "mcollective")).sort() : [];
let ref: Reference;

beforeAll(() => {
  ref = askRuby({
    libdir: LIBDIR,
    ddls: files,
    ips: IPS,
    align: ALIGN,
    validate: VALIDATE,
    requests: REQUESTS,
    defaults: DEFAULTS,
    numbers: NUMBERS,
    booleans: BOOLEANS,
    versions: VERSIONS,
    floats: FLOATS,
    inspect: INSPECT,
  });
});

describe("every DDL Debian ships, compared with what MCollective builds from it", () => {
  test("the reference found Debian's DDLs (agent, data, discovery, aggregate, connector, validator)", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    const kinds = new Set(files.map((f) => f.split("/").at(-2)));
    expect([...kinds].sort()).toEqual(["agent", "aggregate", "connector", "data", "discovery", "validator"]);
    expect(ref.ddls.filter((d) => d.error)).toEqual([]);
  });

  test.each(files)("%s: same entities, metadata, requirements and usage", async (file) => {
    const ruby = ref.ddls.find((d) => d.path === file) as RubyDdl;
    const ours = normal(await readDdlFile(file));
    expect(ours).toEqual({
      kind: ruby.kind,
      meta: ruby.meta,
      requirements: ruby.requirements,
      usage: ruby.usage,
      entities: ruby.entities,
    });
  });

  test.each(files)("%s: mco plugin doc output is byte for byte MCollective's", async (file) => {
    const ruby = ref.ddls.find((d) => d.path === file) as RubyDdl;
    expect(renderDdlHelp(await readDdlFile(file))).toBe(ruby.help);
  });

  test("rpcutil: the action order and aggregates are Ruby's", async () => {
    const ruby = ref.ddls.find((d) => d.path.endsWith("/rpcutil.ddl")) as RubyDdl;
    const ddl = (await readDdlFile(join(LIBDIR, "mcollective/agent/rpcutil.ddl"))) as AgentDdl;
    expect(Object.keys(ddl.actions)).toEqual(Object.keys(ruby.entities));
    expect(ddl.actions.daemon_stats?.aggregate).toEqual([
      { function: "summary", args: ["version"] },
      { function: "summary", args: ["agents"] },
    ]);
  });
});

describe("validators, request validation and conversions, compared with MCollective", () => {
  test("IPAddr acceptance (ipv4address / ipv6address)", () => {
    expect(IPS.map((s) => rubyIpFamily(s) ?? null)).toEqual(ref.ips);
  });

  test("Validator.validate outcomes and messages", () => {
    const ours = VALIDATE.map((c) => outcome(() => validateValue(value(c.value), validation(c.validation))));
    expect(ours).toEqual(ref.validate);
  });

  test("validate_rpc_request against rpcutil", async () => {
    const rpcutil = (await readDdlFile(join(LIBDIR, "mcollective/agent/rpcutil.ddl"))) as AgentDdl;
    const ours = REQUESTS.map((r) =>
      outcome(() => validateRpcRequest(rpcutil, r.action, value(r.data) as Record<string, unknown>)),
    );
    expect(ours).toEqual(ref.requests);
  });

  test("set_default_input_arguments and Reply#initialize_data", () => {
    DEFAULTS.forEach((d, i) => {
      const ddl = parseRubyDdl(d.ddl, { kind: "agent" }) as AgentDdl;
      const args = setDefaultInputs(ddl, d.action, value(d.args) as Record<string, unknown>);
      const expected = ref.defaults[i] as { args: Enc; reply: Enc };
      expect(args, `case ${i} args`).toEqual(value(expected.args));
      expect(defaultOutputs(ddl, d.action), `case ${i} reply`).toEqual(value(expected.reply));
    });
  });

  test("DDL.string_to_number and string_to_boolean", () => {
    const asEnc = (v: unknown): Enc =>
      v instanceof RubyFloat
        ? { float: rubyFloatToS(v.value) }
        : typeof v === "number" && !Number.isInteger(v)
          ? { float: rubyFloatToS(v) }
          : typeof v === "boolean"
            ? { bool: v }
            : { int: String(v) };
    const attempt = (f: () => unknown) => {
      try {
        return asEnc(f());
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    expect(NUMBERS.map((s) => attempt(() => stringToNumber(s)))).toEqual(ref.numbers);
    expect(BOOLEANS.map((s) => attempt(() => stringToBoolean(s)))).toEqual(ref.booleans);
  });

  test("Util.align_text", () => {
    const ours = ALIGN.map((a) => alignText(a.text, a.cols, a.pre));
    expect(ours).toEqual(ref.align);
  });

  test("Util.versioncmp", () => {
    expect(VERSIONS.map(([a, b]) => rubyVersionCmp(a, b))).toEqual(ref.versions);
  });

  test("Float#to_s", () => {
    expect(FLOATS.map((f) => rubyFloatToS(Number(f)))).toEqual(ref.floats);
  });

  test("to_s and inspect of values", () => {
    expect(INSPECT.map((e) => [rubyToS(value(e, true)), rubyInspect(value(e, true))])).toEqual(ref.inspect);
  });

  test("a TypeScript-defined DDL validates exactly as its Ruby twin (defaults case)", () => {
    const ddl = defineAgentDdl({
      metadata: {
        name: "x",
        description: "d",
        author: "a",
        license: "l",
        version: "1",
        url: "u",
        timeout: 1,
      },
      actions: {
        a: {
          description: "d",
          input: { req: { prompt: "p", description: "d", type: "integer", optional: false, default: 5 } },
          output: { o: { description: "d", display_as: "O", default: [1, { a: "b" }] } },
        },
      },
    });
    expect(setDefaultInputs(ddl, "a", {})).toEqual({ req: 5 });
  });
});
