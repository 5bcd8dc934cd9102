/**
 * `mco plugin generate agent|data NAME`: MCollective generated a Ruby
 * agent or data plugin with its DDL; Phobos generates a plugin package —
 * `package.json` with the `mcollective` manifest, the code as an ES module
 * importing `@phobos/core`, the DDL as a JSON DDL (so mco can read it before
 * any dependency is installed), and a README. Put the directory in a libdir
 * as it is, package it (`mco plugin package`), or publish it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AgentDdlSpec,
  type DataDdlSpec,
  defineAgentDdl,
  defineDataDdl,
  PLUGIN_API_VERSION,
  stringifyJsonDdl,
  UsageError,
} from "@phobos/core";

export interface GenerateOptions {
  kind: "agent" | "data";
  name: string;
  /** Agent actions, or data outputs. */
  members: readonly string[];
  description?: string | undefined;
  author?: string | undefined;
  license?: string | undefined;
  version?: string | undefined;
  url?: string | undefined;
  timeout?: number | undefined;
  /** Where the plugin directory is made. */
  cwd: string;
}

const NAME = /^[a-z0-9_]+$/;

function metadata(o: GenerateOptions) {
  return {
    name: o.name,
    description: o.description ?? `The ${o.name} ${o.kind === "agent" ? "agent" : "data plugin"}`,
    author: o.author ?? "%AUTHOR%",
    license: o.license ?? "Apache-2.0",
    version: o.version ?? "0.1.0",
    url: o.url ?? "https://example.com/",
    timeout: o.timeout ?? (o.kind === "agent" ? 10 : 1),
  };
}

function agentFiles(o: GenerateOptions): { ddl: string; code: string } {
  const actions: AgentDdlSpec["actions"] = {};
  for (const action of o.members) {
    actions[action] = {
      description: `%ACTIONDESCRIPTION% of ${action}`,
      display: "always",
      input: {
        name: {
          prompt: "Name",
          description: "An example input: rename or remove it",
          type: "string",
          validation: /^[\w.-]+$/,
          optional: true,
          maxlength: 100,
        },
      },
      output: { message: { description: "An example output: rename or remove it", display_as: "Message" } },
    };
  }
  const ddl = stringifyJsonDdl(defineAgentDdl({ metadata: metadata(o), actions }));
  const handlers = o.members
    .map(
      (action) =>
        `      async ${action}(request, reply) {\n        // request.data: the inputs, validated against ddl.json; reply.fail("why") to fail.\n        reply.data.message = \`${action} \${request.data.name ?? ""}\`;\n      },`,
    )
    .join("\n");
  const code = `import { defineAgent } from "@phobos/core";

/** ${metadata(o).description} */
export default defineAgent({
  name: "${o.name}",
  description: ${JSON.stringify(metadata(o).description)},
  create: (ctx) => ({
    actions: {
${handlers}
    },
  }),
});
`;
  return { ddl, code };
}

function dataFiles(o: GenerateOptions): { ddl: string; code: string } {
  if (o.members.length === 0) throw new UsageError("data plugin must have at least one output");
  const output: DataDdlSpec["dataquery"]["output"] = {};
  for (const name of o.members) output[name] = { description: `%DESCRIPTION% of ${name}`, display_as: name };
  const spec: DataDdlSpec = {
    metadata: metadata(o),
    dataquery: {
      description: "Query information",
      input: {
        query: {
          prompt: "Query",
          description: "What to look up",
          type: "string",
          validation: /^.+$/,
          maxlength: 100,
        },
      },
      output,
    },
  };
  const ddl = stringifyJsonDdl(defineDataDdl(spec));
  const fields = o.members.map((name) => `      ${name}: null,`).join("\n");
  const code = `import { defineData } from "@phobos/core";

/** ${metadata(o).description} */
export default defineData({
  name: "${o.name}",
  description: ${JSON.stringify(metadata(o).description)},
  create: (ctx) => ({
    async query(what) {
      return {
${fields}
      };
    },
  }),
});
`;
  return { ddl, code };
}

/** Writes the plugin package; returns the lines MCollective printed as it went. */
export function generatePlugin(o: GenerateOptions): string[] {
  if (!NAME.test(o.name)) {
    throw new UsageError(`cannot generate '${o.name}': plugin names are lower case letters, digits and _`);
  }
  for (const member of o.members) {
    if (!NAME.test(member))
      throw new UsageError(`cannot generate '${o.name}': '${member}' is not a valid name`);
  }
  const files = o.kind === "agent" ? agentFiles(o) : dataFiles(o);
  const dir = join(o.cwd, o.name);
  const entry = o.kind === "agent" ? "agent.js" : "data.js";
  const manifest = {
    name: `phobos-${o.kind}-${o.name.replaceAll("_", "-")}`,
    version: metadata(o).version,
    description: metadata(o).description,
    license: metadata(o).license,
    ...(o.author ? { author: o.author } : {}),
    type: "module",
    keywords: ["mcollective-plugin", "phobos"],
    peerDependencies: { "@phobos/core": "^0.1.0" },
    mcollective: {
      api: PLUGIN_API_VERSION,
      plugins: [
        {
          type: o.kind,
          name: o.name,
          entry: `./${entry}`,
          ddl: "./ddl.json",
          description: metadata(o).description,
        },
      ],
    },
  };
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`cannot generate '${o.name}' : plugin directory already exists.`);
    }
    throw err;
  }
  const lines = [`Created plugin directory : ${dir}`];
  try {
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    lines.push(`Created package file : ${join(dir, "package.json")}`);
    writeFileSync(join(dir, "ddl.json"), files.ddl);
    lines.push(`Created DDL file : ${join(dir, "ddl.json")}`);
    writeFileSync(join(dir, entry), files.code);
    lines.push(`Created ${o.kind === "agent" ? "Agent" : "Data"} file : ${join(dir, entry)}`);
    writeFileSync(
      join(dir, "README.md"),
      `# ${manifest.name}\n\n${metadata(o).description}.\n\nA Phobos ${o.kind} plugin: put this directory in a \`libdir\` of mcollectived and mco (they provide \`@phobos/core\`), build its .deb and tarball with \`mco plugin package\`, or publish it and \`npm install -g\` it beside them. \`mco plugin doc ${o.kind}/${o.name}\` shows its DDL.\n`,
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new UsageError(`cannot generate plugin - ${(err as Error).message}`);
  }
  return lines;
}
