/**
 * THE ORACLE TABLE: each row is a filter as typed on the command line,
 * built and judged on every node of a small fleet by (a) Phobos and (b) Ruby
 * MCollective 2.12's own Optionparser rules, Matcher and
 * Security::Base#validate_filter?, with Debian's real data plugins, in one
 * Ruby process. The built filter (the -S stack travels on the wire) and every
 * match must agree; filters Ruby refuses must be refused here too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilterSyntaxError } from "@phobos/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Filter } from "../message/filter.js";
import { FLEET, nodeView } from "./__oracle__/fleet.js";
import { oracleOnce } from "./__oracle__/ruby.js";
import { buildFilter, type HostFilterOption } from "./build-filter.js";
import { checkFilter } from "./matcher.js";

type Arg = [HostFilterOption | "+collective", string];

interface RubyCase {
  id: string;
  error?: string;
  filter?: Record<string, unknown>;
  results?: (boolean | string)[];
}

const tmp = mkdtempSync(join(tmpdir(), "phobos-filter-oracle-"));
mkdirSync(join(tmp, "dir"));
writeFileSync(join(tmp, "small"), "hello");
writeFileSync(join(tmp, "big"), "x".repeat(100));
writeFileSync(join(tmp, "file with space"), "spaced out");

/** [description, ...options]; `$T` stands for the temp directory holding fstat's files. */
const ROWS: [string, ...Arg[]][] = [
  ["no filter at all"],
  ["a collective key alone is not Ruby's empty filter", ["+collective", "mcollective"]],
  // -F: every operator
  ["fact ==", ["-F", "operatingsystem=Debian"]],
  ["fact == spelled ==", ["-F", "operatingsystem==Debian"]],
  ["fact with blanks around =", ["-F", "operatingsystem = Debian"]],
  ["fact !=", ["-F", "operatingsystem!=Debian"]],
  ["fact > numeric", ["-F", "memorysize_mb>1024"]],
  ["fact < numeric", ["-F", "memorysize_mb<1024"]],
  ["fact >=", ["-F", "memorysize_mb>=2048"]],
  ["fact <=", ["-F", "memorysize_mb<=512"]],
  ["fact => is >=", ["-F", "memorysize_mb=>2048"]],
  ["fact =< is <=", ["-F", "memorysize_mb=<512"]],
  ["10 > 9 is numeric", ["-F", "version>9"]],
  ["10 vs 9a compares Strings", ["-F", "version>9a"]],
  ["decimals compare as Floats", ["-F", "load>1.25"]],
  ["12 vs 1.25 compares Strings (Ruby's patterns)", ["-F", "load<1.25"]],
  ["Integer() reads 010 as octal, 09 fails", ["-F", "zero<9"]],
  ["a multi-line value fails Integer()", ["-F", "multi<20"]],
  ["fact =~ with slashes", ["-F", "role=/^w.b$/"]],
  ["fact =~ without slashes", ["-F", "role=~web"]],
  ["fact =~ is case-sensitive", ["-F", "operatingsystem=/debian/"]],
  ["fact =~ (?i)", ["-F", "operatingsystem=/(?i)debian/"]],
  ["fact =~ scoped (?i:)", ["-F", "role=/^(?i:WEB)$/"]],
  ["value with a blank", ["-F", "spaced=hello world"]],
  ["empty fact value", ["-F", "empty!=x"]],
  ["Array fact: any element", ["-F", "tags=frontend"]],
  ["Array fact regex", ["-F", "tags=/^pro/"]],
  ["Array fact with a nested Array: != holds", ["-F", "nested_list!=x"]],
  ["Array fact with a nested Array: < raises", ["-F", "nested_list<x"]],
  ["Hash fact matches its keys", ["-F", "networking=ip"]],
  ["Hash fact key regex", ["-F", "networking=/^int/"]],
  ["missing fact ==", ["-F", "missing=x"]],
  ["missing fact != never matches either", ["-F", "missing!=x"]],
  ["two facts AND", ["-F", "operatingsystem=Debian"], ["-F", "role=web"]],
  ["refused: no operator", ["-F", "role"]],
  ["refused: no value", ["-F", "empty="]],
  ["refused: blank in the name", ["-F", "a b=c"]],
  // -W
  ["-W class and fact", ["-W", "base role=web"]],
  ["-W regex class and fact", ["-W", "/^apa/ memorysize_mb>1000"]],
  ["-W three words", ["-W", "mysql role=db operatingsystem=Debian"]],
  // -C
  ["class", ["-C", "base"]],
  ["class regex", ["-C", "/^role::/"]],
  ["class regex is case-sensitive", ["-C", "/apache/"]],
  ["class regex (?i)", ["-C", "/(?i)apache/"]],
  ["missing class", ["-C", "nothere"]],
  ["two classes AND", ["-C", "base"], ["-C", "apache"]],
  ["every slash of a class regex goes", ["-C", "/ro/le::/"]],
  // -I
  ["identity", ["-I", "web1.example.com"]],
  ["identity regex", ["-I", "/^web/"]],
  ["identity regex with anchors", ["-I", "/\\Aweb\\d\\.example\\.com\\z/"]],
  ["identities OR", ["-I", "web1.example.com"], ["-I", "db1.example.com"]],
  ["two identity entries matching one node select nothing", ["-I", "web1.example.com"], ["-I", "/web/"]],
  ["two regexes", ["-I", "/example/"], ["-I", "/web/"]],
  ["unknown identity", ["-I", "nonexistent"]],
  // -A
  ["agent", ["-A", "rpcutil"]],
  ["agent puppet", ["-A", "puppet"]],
  ["agent regex", ["-A", "/^pupp/"]],
  ["agent mcollective always matches", ["-A", "mcollective"]],
  ["agent /mcollective/ is only a regex", ["-A", "/mcollective/"]],
  ["two agents AND", ["-A", "rpcutil"], ["-A", "package"]],
  // -S: structure
  ["WIRE.md example", ["-S", "operatingsystem=Debian or (role=db and not datacenter=dc1)"]],
  ["a or b and c", ["-S", "role=db or role=web and datacenter=dc1"]],
  ["not a and b", ["-S", "not role=web and base"]],
  ["!a or b", ["-S", "!role=web or mysql"]],
  ["nested parentheses", ["-S", "((base and apache) or (mysql and not role=web))"]],
  ["not not", ["-S", "not !role=web"]],
  ["class statement", ["-S", "base"]],
  ["class regex statement", ["-S", "/^role::/"]],
  ["> statement", ["-S", "memorysize_mb>1024"]],
  ["<= statement", ["-S", "memorysize_mb<=512"]],
  ["=> in -S compares with '>2048'", ["-S", "memorysize_mb=>2048"]],
  ["!= in -S looks for a fact named 'role!'", ["-S", "role!=web"]],
  ["not of the same", ["-S", "not role!=web"]],
  ["== in -S compares with ''", ["-S", "empty==x"]],
  ["regex statement", ["-S", "role=/w.b/"]],
  ["Array and Hash facts", ["-S", "tags=prod and networking=ip"]],
  ["quoted value with a blank", ["-S", 'spaced="hello world"']],
  ["blanks around =", ["-S", "role = web and base"]],
  ["missing fact or class", ["-S", "missing=x or base"]],
  ["two -S must both hold", ["-S", "base"], ["-S", "role=web"]],
  // -S: data plugins
  ["fstat size > 10", ["-S", "fstat('$T/big').size>10"]],
  ["fstat small size > 10", ["-S", "fstat('$T/small').size>10"]],
  ["fstat missing file", ["-S", 'fstat("$T/missing").present=0']],
  ["fstat directory type", ["-S", "fstat('$T/dir').type=directory"]],
  ["fstat md5 regex", ["-S", "fstat('$T/big').md5=/^[0-9a-f]{32}$/"]],
  ["fstat path with a blank", ["-S", "fstat('$T/file with space').size>1"]],
  ["fstat 5 == 5.0", ["-S", "fstat('$T/small').size=5.0"]],
  ["fstat 5 == 0x5", ["-S", "fstat('$T/small').size=0x5"]],
  ["fstat size against a word raises", ["-S", "fstat('$T/small').size=abc"]],
  ["fstat size against a regex", ["-S", "fstat('$T/small').size>/5/"]],
  ["fstat without argument fails DDL validation", ["-S", "fstat().size=0"]],
  ["fstat with a backtick", ["-S", "fstat('$T/sm`all').size>=0"]],
  ["not fstat with a backtick", ["-S", "not fstat('$T/sm`all').size>=0"]],
  ["fact data plugin", ["-S", "fact('role').value=web"]],
  ["fact data plugin dotted path", ["-S", "fact('networking.ip').value=10.0.0.1"]],
  ["fact data plugin JSON value", ["-S", "fact('networking').value_encoding=application/json"]],
  ["fact data plugin array index", ["-S", "fact('tags.0').value=prod"]],
  ["fact data plugin bad array index raises", ["-S", "fact('tags.x').value=prod"]],
  ["fact data plugin exists=false", ["-S", "fact('missing').exists=false"]],
  ["fact data plugin !=~", ["-S", "fact('role').value!=/web/"]],
  ["fact data plugin combined", ["-S", "fact('role').value=/^w/ and not fact('role').value!=web"]],
  ["data query without a field ==", ["-S", "fact('role')=web"]],
  ["data query without a field !=", ["-S", "fact('role')!=web"]],
  ["unknown field", ["-S", "fact('role').nosuchfield=1"]],
  ["not unknown field", ["-S", "not fact('role').nosuchfield=1"]],
  ["agent data plugin version regex", ["-S", "agent('rpcutil').version=/1/"]],
  ["agent data plugin timeout", ["-S", "agent('rpcutil').timeout>5"]],
  ["no < on Strings", ["-S", "agent('puppet').version>1"]],
  ["agent data plugin on a missing agent raises", ["-S", "agent('nettest').author=rip"]],
  ["collective membership", ["-S", "collective('eu_collective').member=true"]],
  ["boolean against a word raises", ["-S", "collective('mcollective').member=yes"]],
  ["missing data plugin", ["-S", "nosuch('x').value=1"]],
  ["negated missing data plugin is still false", ["-S", "not nosuch('x').value=1"]],
  ["missing data plugin in an or", ["-S", "base or nosuch('x').value=1"]],
  ["data plugin names are case-insensitive", ["-S", "FACT('role').value=web"]],
  // Everything together
  [
    "all kinds at once",
    ["-F", "role=web"],
    ["-C", "base"],
    ["-A", "rpcutil"],
    ["-I", "/example/"],
    ["-S", "datacenter=dc1 and fstat('$T/big').size=100"],
  ],
  // Accepted by Ruby's parser, meaningless to Ruby's evaluator
  ["anything may follow ')'", ["-S", "(base) role=web"]],
  ["parentheses that count out", ["-S", "base) or (mysql))"]],
  ["empty -S", ["-S", ""]],
  ["'not' at the end is a class", ["-S", "base and not"]],
  // Refused by Ruby's parser
  ["refused: dangling and", ["-S", "a and"]],
  ["refused: open parenthesis", ["-S", "(a"]],
  ["refused: close parenthesis", ["-S", "a)"]],
  ["refused: leading and", ["-S", "and a"]],
  ["refused: or or", ["-S", "a or or b"]],
  ["refused: a not b", ["-S", "a not b"]],
  ["refused: data query compared with nothing", ["-S", "fact('x')"]],
  ["refused: foo(", ["-S", "foo("]],
  ["refused: slash before =", ["-S", "a/=b"]],
  ["refused: regex ends in a backslash", ["-S", "x=/ab\\"]],
  ["refused: invalid regex in a data query", ["-S", "fact('x').value=/[/"]],
  ["refused: regex flags", ["-S", "role=/web/i"]],
  ["refused: leading blank", ["-S", " base"]],
  ["refused: bad -F inside a mix", ["-C", "base"], ["-F", "nope"]],
];

const TABLE = ROWS.map(([name, ...args]): [string, ...Arg[]] => [
  name,
  ...args.map(([flag, value]): Arg => [flag, value.replaceAll("$T", tmp)]),
]);

function build(args: Arg[]): Filter {
  const filter = buildFilter(args.filter((a): a is [HostFilterOption, string] => a[0] !== "+collective"));
  const collective = args.find((a) => a[0] === "+collective");
  if (collective) filter.collective = collective[1];
  return filter;
}

describe("the oracle table: Phobos vs Ruby MCollective's Matcher", () => {
  const oracle = oracleOnce<{ cases: RubyCase[] }>("matcher-oracle.rb", () => ({
    tmp,
    nodes: FLEET,
    cases: TABLE.map(([id, ...args]) => ({ id, args })),
  }));
  const ruby = (id: string): RubyCase | undefined => oracle().cases.find((c) => c.id === id);

  beforeAll(() => {
    try {
      const out = oracle();
      if (process.env.ORACLE_DUMP)
        for (const c of out.cases) console.log(c.id, c.error ?? JSON.stringify(c.results));
    } catch {
      // Every test below rethrows it.
    }
  }, 180_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("has at least 80 rows and unique names", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(80);
    expect(new Set(TABLE.map(([id]) => id)).size).toBe(TABLE.length);
  });

  it.each(TABLE.map((row) => [row[0], row.slice(1) as Arg[]] as const))("%s", async (id, args) => {
    const theirs = ruby(id);
    expect(theirs, "Ruby answered this row").toBeDefined();
    if (theirs?.error !== undefined) {
      expect(() => build(args), `Ruby refused it (${theirs.error})`).toThrow(FilterSyntaxError);
      return;
    }
    const filter = build(args);
    expect(JSON.parse(JSON.stringify(filter))).toEqual(theirs?.filter);
    const ours = await Promise.all(
      FLEET.map(async (node) => (await checkFilter(filter, nodeView(node))).matched),
    );
    const expected = (theirs?.results ?? []).map((r) => r === true);
    expect(Object.fromEntries(FLEET.map((n, i) => [n.identity, ours[i]]))).toEqual(
      Object.fromEntries(FLEET.map((n, i) => [n.identity, expected[i]])),
    );
  });
});
