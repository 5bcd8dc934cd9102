import { type ApplicationInvocation, defineApplication } from "@phobos/client";
import { UsageError } from "@phobos/core";
import { pluginDoc, pluginDocList } from "./plugin-doc.js";
import { generatePlugin } from "./plugin-generate.js";
import { pluginInfo } from "./plugin-info.js";
import { packagePlugin } from "./plugin-package.js";

/**
 * `generate agent NAME [actions=a,b]` / `generate data NAME [outputs=a,b]`,
 * metadata from the options or the config's `plugin.metadata.*`.
 */
function generate(inv: ApplicationInvocation, kind: string): number {
  if (kind === ".") {
    throw new UsageError("undefined plugin type. cannot generate plugin. valid types are 'agent' and 'data'");
  }
  if (kind !== "agent" && kind !== "data")
    throw new UsageError(`invalid plugin type. cannot generate plugin '${kind}'`);
  const conf = inv.configuration;
  const words = [...inv.args];
  let name = conf.pluginname as string | undefined;
  if (words[0] !== undefined && !/^(actions|outputs)=/i.test(words[0])) {
    const first = words.shift();
    name ??= first;
  }
  const lists: Record<string, string[]> = {};
  for (const word of words) {
    const m = /^(actions|outputs)=(.+)$/i.exec(word);
    if (!m) throw new UsageError(`Could not parse --arg '${word}'`);
    lists[(m[1] as string).toLowerCase()] = (m[2] as string).split(",");
  }
  if (!name) {
    inv.stdout.write("No plugin name specified. Using 'new_plugin'\n");
    name = "new_plugin";
  }
  const meta = (key: string, option: string) =>
    (conf[option] as string | undefined) ?? inv.config.pluginConf.get(`metadata.${key}`);
  const timeout = conf.timeout ?? inv.config.pluginConf.get("metadata.timeout");
  const members =
    kind === "agent"
      ? (lists.actions ?? (conf.actions as string[] | undefined) ?? [])
      : (lists.outputs ?? (conf.outputs as string[] | undefined) ?? []);
  const lines = generatePlugin({
    kind,
    name,
    members,
    description: meta("description", "description"),
    author: meta("author", "author"),
    license: meta("license", "license"),
    version: meta("version", "version"),
    url: meta("url", "url"),
    timeout: timeout === undefined ? undefined : Number(timeout),
    cwd: process.cwd(),
  });
  inv.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

const USAGE = `mco plugin package [options] <directory>
       mco plugin info <directory>
       mco plugin doc <plugin>
       mco plugin doc <type/plugin>
       mco plugin generate agent <pluginname> [actions=val,val]
       mco plugin generate data <pluginname> [outputs=val,val]

          info : Display plugin information including package details.
       package : Create all available plugin packages.
           doc : Display documentation for a specific plugin.
`;

const text = (name: string, description: string, args: string) => ({ name, description, arguments: [args] });

/**
 * `mco plugin`: the installed plugins' documentation (`doc`), and Phobos's
 * take on MCollective's packaging tools — Phobos plugins are npm packages,
 * so `generate` writes one, `info` reads one's manifest and `package` makes
 * its .deb and tarball (or `npm pack`s it).
 */
export default defineApplication({
  name: "plugin",
  description: "MCollective Plugin Application",
  create: () => ({
    excludeSections: ["common", "filter", "rpc"],
    usage: [USAGE],
    options: [
      { ...text("pluginname", "Plugin name", "--name NAME"), arguments: ["-n", "--name NAME"] },
      text("postinstall", "Post install script", "--postinstall POSTINSTALL"),
      text("preinstall", "Pre install script", "--preinstall PREINSTALL"),
      text("revision", "Revision number", "--revision REVISION"),
      text("iteration", "DEPRECATED - Use --revision instead", "--iteration ITERATION"),
      text("vendor", "Vendor name", "--vendor VENDOR"),
      text("pluginpath", "MCollective plugin path", "--pluginpath PATH"),
      text(
        "mcname",
        "MCollective type (mcollective, pe-mcollective) that the packages depend on",
        "--mcname NAME",
      ),
      text("mcversion", "Version of MCollective that the packages depend on", "--mcversion MCVERSION"),
      {
        ...text("dependency", "Adds a dependency to the plugin", "--dependency DEPENDENCIES"),
        type: "array",
      },
      // Ruby's wording, kept for help parity; the formats Phobos builds are in the README and errors.
      text("format", "Package output format. Defaults to rpmpackage or debpackage", "--format OUTPUTFORMAT"),
      { ...text("sign", "Embed a signature in the package", "--sign"), type: "bool" },
      text("rpctemplate", "Template to use.", "--template HELPTEMPLATE"),
      text("description", "Plugin description", "--description DESCRIPTION"),
      text("author", "The author of the plugin", "--author AUTHOR"),
      text("license", "The license under which the plugin is distributed", "--license LICENSE"),
      text("version", "The version of the plugin", "--pluginversion VERSION"),
      text("url", "Url at which information about the plugin can be found", "--url URL"),
      { ...text("timeout", "The plugin's timeout", "--timeout TIMEOUT"), type: "integer" },
      {
        ...text("actions", "Actions to be generated for an Agent Plugin", "--actions [ACTIONS]"),
        type: "list",
      },
      {
        ...text("outputs", "Outputs to be generated for an Data Plugin", "--outputs [OUTPUTS]"),
        type: "list",
      },
      {
        ...text("keep_artifacts", "Don't remove artifacts after building packages", "--keep-artifacts"),
        type: "bool",
      },
      text("module_template", "Path to the template used by the modulepackager", "--module-template PATH"),
    ],
    async run(inv) {
      const action = inv.args.shift();
      const target = inv.args.shift() ?? ".";
      if (action === undefined) {
        inv.stderr.write("No action specified, please run 'mco help plugin' for help\n");
        return 1;
      }
      switch (action) {
        case "doc": {
          if (target === ".") {
            inv.stdout.write(await pluginDocList(inv.registry, inv.color("yellow", "") !== ""));
            return 0;
          }
          const doc = await pluginDoc(inv.registry, target);
          if ("error" in doc) {
            inv.stderr.write(`${doc.error}\n`);
            return 1;
          }
          inv.stdout.write(doc.text);
          return 0;
        }
        case "info":
          inv.stdout.write(pluginInfo(target, inv.config.libdir));
          return 0;
        case "package": {
          const c = inv.configuration;
          const opt = (k: string) => (c[k] === undefined ? undefined : String(c[k]));
          const lines = packagePlugin(target, process.cwd(), inv.config.libdir, {
            format: opt("format"),
            pluginname: opt("pluginname"),
            version: opt("version"),
            revision: opt("revision") ?? opt("iteration"),
            vendor: opt("vendor"),
            pluginpath: opt("pluginpath"),
            mcname: opt("mcname"),
            mcversion: opt("mcversion"),
            dependency: c.dependency as string[] | undefined,
            preinstall: opt("preinstall"),
            postinstall: opt("postinstall"),
            sign: c.sign === true,
            keepArtifacts: c.keep_artifacts === true,
          });
          inv.stdout.write(`${lines.join("\n")}\n`);
          return 0;
        }
        case "generate":
          return generate(inv, target);
        default:
          inv.stderr.write(`Invalid action ${action}, please run 'mco help plugin' for help.\n`);
          return 1;
      }
    },
  }),
});
