import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyFilter, parseRubyDdl } from "@phobos/core";
import { describe, expect, it } from "vitest";
import ddl from "./ddl.js";
import flatfile from "./discovery.js";
import { readFlatfile } from "./read-flatfile.js";

const dir = mkdtempSync(join(tmpdir(), "flatfile-test-"));
const file = join(dir, "nodes");
writeFileSync(file, "# all web nodes\nweb1.example.com\n\n   web2.example.com  \nweb-3\n# db\ndb_1\n");

async function discover(identity: string[], options: string[] = [file]) {
  const method = await flatfile.create({} as never);
  const filter = { ...emptyFilter(), identity };
  return method.discover({ filter, timeout: 0, limit: 0, options, client: {} as never });
}

describe("flatfile discovery", () => {
  it("reads one identity a line, skipping blank lines and # comments", () => {
    expect(readFlatfile(file)).toEqual(["web1.example.com", "web2.example.com", "web-3", "db_1"]);
  });

  it("refuses a line that is not an identity, naming file and line", () => {
    const bad = join(dir, "bad");
    writeFileSync(bad, "web1\nweb 2\n");
    expect(() => readFlatfile(bad)).toThrow(`${bad}:2: 'web 2' is not an identity`);
  });

  it("names a file it cannot read", () => {
    expect(() => readFlatfile(join(dir, "missing"))).toThrow(
      /Cannot read the file .*missing specified as discovery source: ENOENT/,
    );
  });

  it("narrows by -I: names exactly, /regex/ as a regex", async () => {
    expect(await discover([])).toEqual(["web1.example.com", "web2.example.com", "web-3", "db_1"]);
    expect(await discover(["db_1", "nosuch"])).toEqual(["db_1"]);
    expect(await discover(["/^web\\d\\./"])).toEqual(["web1.example.com", "web2.example.com"]);
  });

  it("needs a file", async () => {
    await expect(discover([], [])).rejects.toThrow(
      "The flatfile discovery method needs a path to a text file",
    );
  });

  it("has MCollective's flatfile.ddl as its DDL", () => {
    const ruby = "/usr/lib/ruby/vendor_ruby/mcollective/discovery/flatfile.ddl";
    if (!existsSync(ruby)) throw new Error(`${ruby} is missing: run \`sh tooling/scripts/provision.sh\``);
    expect(ddl).toEqual(parseRubyDdl(readFileSync(ruby, "utf8"), { file: ruby, kind: "discovery" }));
  });
});
