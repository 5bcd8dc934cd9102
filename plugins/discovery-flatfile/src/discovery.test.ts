/**
 * flatfile discovery: core's discovery conformance suite on a file that
 * names a node twice, how it reads the file and narrows it by -I, and its
 * DDL against MCollective 2.12.5's discovery/flatfile.ddl.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyFilter, parseRubyDdl } from "@phobos/core";
import { createFakeDiscoveryClient, describeDiscoveryPlugin, openPlugin } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import ddl from "./ddl.js";
import flatfile from "./discovery.js";
import { readFlatfile } from "./read-flatfile.js";

const dir = mkdtempSync(join(tmpdir(), "flatfile-test-"));
const file = join(dir, "nodes");
writeFileSync(file, "# all web nodes\nweb1.example.com\n\n   web2.example.com  \nweb-3\n# db\ndb_1\n");
const twice = join(dir, "twice");
writeFileSync(twice, "web1\nweb2\nweb1\ndb1\n");

// The client is there because the contract hands one to every method;
// flatfile must never broadcast through it.
const silent = createFakeDiscoveryClient(["not-in-the-file"]);

describeDiscoveryPlugin({ definition: flatfile, ddl, client: silent, options: [twice] });

async function discover(identity: string[], options: string[] = [file], limit = 0) {
  const plugin = await openPlugin({ definition: flatfile }, "client", "mco");
  try {
    const filter = { ...emptyFilter(), identity };
    return await plugin.instance.discover({ filter, timeout: 0, limit, options, client: silent });
  } finally {
    plugin.close();
  }
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

  it("lists a node the file names twice once, where it first appears", async () => {
    expect(await discover([], [twice])).toEqual(["web1", "web2", "db1"]);
  });

  it("with a limit, returns the first nodes of the file", async () => {
    expect(await discover([], [file], 2)).toEqual(["web1.example.com", "web2.example.com"]);
    expect(await discover(["/^web/"], [file], 1)).toEqual(["web1.example.com"]);
  });

  it("never broadcasts", () => {
    expect(silent.calls).toEqual([]);
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
