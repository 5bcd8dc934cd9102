/**
 * Filter → PQL against the real PuppetDB (tooling/scripts/provision.sh):
 * nodes are loaded through the command API, and for each filter of a table
 * the PQL query must select exactly the nodes core's own filter matcher (what
 * every daemon runs) selects on the same facts, classes and agents. Filters
 * PQL cannot say are refused, naming the part.
 */
import {
  buildFilter,
  compileRubyRegexp,
  emptyFilter,
  type Filter,
  type HostFilterOption,
  matchFilter,
  type NodeView,
} from "@phobos/core";
import { beforeAll, describe, expect, it } from "vitest";
import { PqlUnsupportedError } from "./errors.js";
import { toPgRegexp } from "./pg-regexp.js";
import { filterToPql } from "./pql.js";
import { loadNodes, type PuppetDbNode, pqlQuery, requirePuppetDb, testEnvironment } from "./testing.js";

const ENV = testEnvironment("pql_test");

const NODES: PuppetDbNode[] = [
  {
    certname: "web1.example.net",
    facts: {
      osfamily: "Debian",
      role: "web",
      cpus: 4,
      load: 1.5,
      virtual: true,
      ips: ["10.0.0.1", "10.1.0.1"],
      note: 'say "hi"\\now',
    },
    classes: ["base", "role::web", "mcollective_agent_rpcutil", "mcollective_agent_package"],
  },
  {
    certname: "web2.example.net",
    facts: { osfamily: "Debian", role: "web", cpus: 16, load: 12.25, virtual: false, ips: ["10.0.0.2"] },
    classes: ["base", "role::web", "apache::mod_ssl", "mcollective", "mcollective_agent_service"],
  },
  {
    certname: "db1.example.net",
    facts: { osfamily: "RedHat", role: "db", cpus: 8, load: 0.75, virtual: true, ips: [] },
    classes: ["base", "role::db", "mcollective_agent_rpcutil"],
  },
  {
    certname: "db10.example.net",
    facts: { osfamily: "RedHat", role: "db", cpus: 32, load: 2.5, ips: ["192.168.1.10"] },
    classes: [
      "base",
      "role::db",
      "postgresql::server",
      "mcollective_agent_rpcutil",
      "mcollective_agent_puppet",
    ],
  },
  {
    certname: "cache-1",
    facts: { osfamily: "Debian", role: "cache", cpus: 2, datacenter: "dc2" },
    classes: ["role::cache"],
  },
  {
    // Numbers held as Strings: PuppetDB orders numbers only (see the README).
    certname: "legacy-1",
    facts: { osfamily: "Debian", role: "legacy", cpus: "64", load: "9.5" },
    classes: [],
  },
];

/** Where PuppetDB knowingly selects less than the daemons: ordering Strings that look like numbers. */
const NARROWER: Record<string, string[]> = {
  "-F cpus>4": ["legacy-1"],
  "-F cpus>=8": ["legacy-1"],
  "-F load>2.0": ["legacy-1"],
};

/** A daemon's view of a node: facts as MCollective normalises them (leaves are Strings). */
function nodeView(node: PuppetDbNode): NodeView {
  const normalise = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(normalise) : v === null ? "" : typeof v === "object" ? v : String(v);
  const agents = node.classes.flatMap((c) =>
    c === "mcollective" ? ["rpcutil"] : c.startsWith("mcollective_agent_") ? [c.slice(18)] : [],
  );
  return {
    identity: node.certname,
    fact: (name) => (name in node.facts ? (normalise(node.facts[name]) as never) : undefined),
    classes: () => node.classes,
    agents: () => agents,
    data: async () => undefined,
  };
}

const TABLE: [HostFilterOption, string][][] = [
  [],
  [["-I", "web1.example.net"]],
  [
    ["-I", "web1.example.net"],
    ["-I", "db1.example.net"],
  ],
  [
    ["-I", "web1.example.net"],
    ["-I", "web1.example.net"],
  ],
  [["-I", "/^db1/"]],
  [
    ["-I", "/db1/"],
    ["-I", "db10.example.net"],
  ],
  [["-I", "/web\\d\\.example/"]],
  [["-I", "/^cache-\\d$/"]],
  [
    ["-I", "/./"],
    ["-I", "/^x/"],
  ],
  [["-C", "base"]],
  [["-C", "role::web"]],
  [["-C", "apache::mod_ssl"]],
  [["-C", "/^role::(web|db)$/"]],
  [["-C", "/server/"]],
  [["-C", "/^[a-z]+::[a-z_]+$/"]],
  [
    ["-C", "base"],
    ["-C", "role::db"],
  ],
  [["-C", "nosuch"]],
  [["-A", "rpcutil"]],
  [["-A", "package"]],
  [["-A", "/^pup/"]],
  [["-A", "/ice$/"]],
  [["-A", "mcollective"]],
  [["-F", "osfamily=Debian"]],
  [["-F", "osfamily=/^red/"]],
  [["-F", "osfamily=/^Red/"]],
  [["-F", "osfamily!=Debian"]],
  [["-F", "cpus=4"]],
  [["-F", "cpus>4"]],
  [["-F", "cpus>=8"]],
  [["-F", "cpus<8"]],
  [["-F", "cpus<=8"]],
  [["-F", "load>2.0"]],
  [["-F", "load<1.0"]],
  [["-F", "load=1.5"]],
  [["-F", "virtual=true"]],
  [["-F", "virtual=false"]],
  [["-F", "ips=10.0.0.2"]],
  [["-F", "ips=/^10\\./"]],
  [["-F", "ips!=10.0.0.1"]],
  [["-F", 'note=say "hi"\\now']],
  [["-F", "note=/\\\\n/"]],
  [["-F", "datacenter=/./"]],
  [["-F", "nosuch=1"]],
  [
    ["-F", "role=web"],
    ["-C", "mcollective"],
  ],
  [["-W", "role=db base"]],
  [["-S", "role=web or role=cache"]],
  [["-S", "not role=web"]],
  [["-S", "(role=web or role=db) and not osfamily=RedHat"]],
  [["-S", "role::db and cpus>=8 or role::cache"]],
  [["-S", "/^role::c/ or ! base"]],
  [
    ["-S", "osfamily=Debian"],
    ["-I", "/web/"],
  ],
  [
    ["-S", "role=db"],
    ["-S", "cpus<10"],
  ],
];

const describeArgs = (args: [HostFilterOption, string][]) =>
  args.map(([o, v]) => `${o} ${v}`).join(" ") || "(empty)";

async function certnames(filter: Filter): Promise<string[]> {
  const rows = (await pqlQuery(filterToPql(filter, { environment: ENV }))) as { certname: string }[];
  return rows.map((r) => r.certname);
}

beforeAll(async () => {
  await requirePuppetDb();
  await loadNodes(ENV, NODES);
}, 180_000);

describe("filter → PQL on a real PuppetDB", () => {
  it(`selects what the daemons' matcher selects, for all ${TABLE.length} filters`, async () => {
    const mismatches: string[] = [];
    const sets = new Set<string>();
    for (const args of TABLE) {
      const filter = buildFilter(args);
      const want: string[] = [];
      for (const node of NODES) if (await matchFilter(filter, nodeView(node))) want.push(node.certname);
      want.sort();
      const expected = want.filter((n) => !NARROWER[describeArgs(args)]?.includes(n));
      const got = await certnames(filter);
      sets.add(want.join());
      if (got.join() !== expected.join())
        mismatches.push(
          `${describeArgs(args)}: PuppetDB [${got}] daemons [${want}] PQL ${filterToPql(filter)}`,
        );
    }
    expect(mismatches).toEqual([]);
    expect(sets.size).toBeGreaterThanOrEqual(20);
  }, 180_000);

  it("asks for active nodes only, sorted, in the configured environment", () => {
    expect(filterToPql(emptyFilter())).toBe('nodes[certname] { node_state = "active" order by certname }');
    expect(filterToPql(buildFilter([["-I", "a"]]), { environment: "production" })).toBe(
      'nodes[certname] { node_state = "active" and facts_environment = "production" and (certname = "a") order by certname }',
    );
  });
});

describe("filters PQL cannot express are refused, naming the part", () => {
  const refused: [[HostFilterOption, string][], RegExp][] = [
    [
      [["-S", 'fstat("/etc/hosts").size>10']],
      /the -S function fstat\("\/etc\/hosts"\)\.size .*data plugins run on the daemons/,
    ],
    [[["-F", "os.family=Debian"]], /the fact filter 'os.family==Debian' .*dotted/],
    [[["-F", "role>web"]], /the fact filter 'role>web' .*orders numbers only/],
    [[["-C", "Apache"]], /the class 'Apache' .*lowercase/],
    [[["-C", "/^Role/"]], /the class filter '\/\^Role\/' .*upper-case letter 'R'/],
    [[["-A", "/a|^b/"]], /the agent filter .*\^ can only come first/],
    [[["-I", "/(?i)web/"]], /the identity filter '\/\(\?i\)web\/' .*the group '\(\?i\)/],
    [[["-I", "/a++/"]], /possessive/],
    [[["-I", "/\\h/"]], /the escape \\h/],
    [[["-F", "role=/(?#c)web/"]], /the fact filter 'role=~\/\(\?#c\)web\/' .*the group/],
  ];
  it.each(refused.map(([args, message]) => ({ args, message, line: describeArgs(args) })))(
    "$line",
    ({ args, message }) => {
      const run = () => filterToPql(buildFilter(args));
      expect(run).toThrow(PqlUnsupportedError);
      expect(run).toThrow(message);
    },
  );
});

describe("Ruby regexes for PostgreSQL", () => {
  it("bridges line anchors, dot, ASCII classes and Ruby's own syntax", () => {
    expect(toPgRegexp("^a.b$").source).toBe("(?:^|(?<=\\n))a[^\\n]b(?:$|(?=\\n))");
    expect(toPgRegexp("\\d\\w\\s\\bx\\z").source).toBe("[0-9][a-zA-Z0-9_][ \\t\\n\\v\\f\\r]\\yx\\Z");
    expect(toPgRegexp("a{,3}b{2}c{").source).toBe("a{0,3}b{2}c\\{");
    expect(toPgRegexp("(?<n>x)[^\\]a-c]").source).toBe("(x)[^\\]a-c]");
    expect(toPgRegexp("web", { foldCase: true }).source).toBe("(?i)web");
  });

  it("refuses what Ruby itself refuses", () => {
    expect(() => toPgRegexp("(")).toThrow(/invalid Ruby regular expression/);
  });

  it("produces patterns PostgreSQL accepts and reads as Ruby does", async () => {
    const names = NODES.map((n) => n.certname);
    for (const re of [
      "^db1\\b",
      "\\.net\\z",
      "^(?:web|cache)-?\\d",
      "[[:digit:]]{2}",
      "^[^w]+$",
      "e\\x2dn|-1",
      "b1\\.",
    ]) {
      const ruby = names.filter((n) => compileRubyRegexp(re).test(n)).sort();
      const rows = (await pqlQuery(
        `nodes[certname] { facts_environment = "${ENV}" and certname ~ "${toPgRegexp(re).source.replaceAll("\\", "\\\\")}" order by certname }`,
      )) as { certname: string }[];
      expect(
        rows.map((r) => r.certname),
        re,
      ).toEqual(ruby);
    }
  });
});
