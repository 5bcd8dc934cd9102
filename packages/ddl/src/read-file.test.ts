import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DdlDefinitionError } from "@phobos/errors";
import { describe, expect, test } from "vitest";
import { readDdlFile } from "./read-file.js";

const LIBDIR = fileURLToPath(new URL("./__fixtures__/libdir/mcollective", import.meta.url));

async function error(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    expect(e).toBeInstanceOf(DdlDefinitionError);
    return (e as Error).message;
  }
  throw new Error("expected a DdlDefinitionError");
}

describe("readDdlFile", () => {
  test("dispatches on the extension: .ddl is Ruby, .json is Choria JSON", async () => {
    expect((await readDdlFile(join(LIBDIR, "agent/legacy.ddl"))).metadata.name).toBe("legacy");
    expect((await readDdlFile(join(LIBDIR, "agent/webapp.json"), "agent")).metadata.name).toBe("webapp");
    expect((await readDdlFile(join(LIBDIR, "data/release_data.json"), "data")).kind).toBe("data");
  });

  test("a Ruby DDL's kind follows the libdir folder it is in, as in MCollective", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-ddl-"));
    const path = join(dir, "agent.ddl");
    writeFileSync(
      path,
      'metadata :name => "x", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 1\n',
    );
    expect((await readDdlFile(path)).kind).toBe("metadata");
    expect((await readDdlFile(path, "agent")).kind).toBe("agent");
  });

  test("a DDL of another kind than expected is refused, naming the file", async () => {
    const path = join(LIBDIR, "agent/legacy.ddl");
    expect(await error(() => readDdlFile(path, "data"))).toBe(
      `${path}:9: data DDL 'legacy': undefined method \`action' (not available in a data DDL)`,
    );
    const json = join(LIBDIR, "agent/webapp.json");
    expect(await error(() => readDdlFile(json, "discovery"))).toBe(
      `${json}: expected a discovery DDL but this is an agent DDL`,
    );
  });

  test("missing files and other extensions", async () => {
    const missing = join(LIBDIR, "agent/nope.ddl");
    expect(await error(() => readDdlFile(missing))).toMatch(
      new RegExp(`^${missing}: cannot read DDL: ENOENT`),
    );
    expect(await error(() => readDdlFile("/etc/hosts"))).toBe(
      "/etc/hosts: not a DDL file (expected a .ddl or .json file)",
    );
  });

  test("syntax errors carry file and line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-ddl-"));
    const path = join(dir, "broken.ddl");
    writeFileSync(path, 'metadata :name => "x",\n  :description => "d"\nwhile true\nend\n');
    expect(await error(() => readDdlFile(path))).toBe(
      `${path}:3: loops (while) are not part of the DDL language`,
    );
  });
});
