/**
 * Loads a DDL file from disk: MCollective's Ruby `.ddl` or a Choria-style
 * `.json`. The plugin loader calls this for DDLs found in a libdir.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname } from "node:path";
import { DdlDefinitionError } from "@phobos/errors";
import { aKind } from "./define.js";
import { parseJsonDdl } from "./json-ddl.js";
import { parseRubyDdl } from "./ruby-ddl.js";
import type { Ddl } from "./types.js";

const KIND_OF_DIRECTORY: Record<string, Ddl["kind"]> = {
  agent: "agent",
  data: "data",
  discovery: "discovery",
  aggregate: "metadata",
  connector: "metadata",
  security: "metadata",
  validator: "metadata",
  audit: "metadata",
  registration: "metadata",
  facts: "metadata",
  pluginpackager: "metadata",
};

/**
 * MCollective keeps DDLs in `<libdir>/mcollective/<type>/<name>.ddl` and
 * picks the DDL class from `<type>`; a file elsewhere says what it is by
 * what it declares.
 */
function kindFromPath(path: string): Ddl["kind"] | undefined {
  const dir = basename(dirname(path));
  return Object.hasOwn(KIND_OF_DIRECTORY, dir) ? KIND_OF_DIRECTORY[dir] : undefined;
}

/**
 * Reads and checks the DDL at `path` (`.ddl` or `.json`).
 * @param expectedKind the kind the caller needs; a DDL of another kind is an error
 * @throws DdlDefinitionError naming the file (and the line, for Ruby DDLs)
 */
export async function readDdlFile(path: string, expectedKind?: Ddl["kind"]): Promise<Ddl> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".ddl" && ext !== ".json") {
    throw new DdlDefinitionError(`${path}: not a DDL file (expected a .ddl or .json file)`);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DdlDefinitionError(`${path}: cannot read DDL: ${why}`, { cause: e });
  }
  const kind = expectedKind ?? (ext === ".ddl" ? kindFromPath(path) : undefined);
  const ddl =
    ext === ".ddl" ? parseRubyDdl(text, { file: path, kind }) : parseJsonDdl(text, { file: path, kind });
  if (expectedKind && ddl.kind !== expectedKind) {
    throw new DdlDefinitionError(
      `${path}: expected ${aKind(expectedKind)} DDL but found ${aKind(ddl.kind)} DDL`,
    );
  }
  return ddl;
}
