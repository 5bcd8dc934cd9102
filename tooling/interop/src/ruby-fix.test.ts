import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeServerConfig } from "./config-file.js";
import { checkReferenceEnvironment, DEBIAN_PLUGIN_DIR, DEBIAN_RUBY_LIB } from "./reference-environment.js";
import { applyRubyFix, RUBY_FIX_PATCHES, RubyFixError, writeRubyFix } from "./ruby-fix.js";

const run = promisify(execFile);

const [factsPatch, sslPatch] = RUBY_FIX_PATCHES;
if (factsPatch === undefined || sslPatch === undefined) throw new Error("patch table is empty");

let dir: string;
beforeAll(async () => {
  await checkReferenceEnvironment();
  dir = await mkdtemp(join(tmpdir(), "phobos-ruby-fix-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads a config the way mcollectived does and evaluates `expression` after it. */
async function rubyWithConfig(configFile: string, expression: string): Promise<string> {
  const script = `require "mcollective"; MCollective::Config.instance.loadconfig(ARGV[0]); ${expression}`;
  const { stdout } = await run("ruby", ["-e", script, configFile], {
    env: { ...process.env, LANG: "C.UTF-8" },
  });
  return stdout.trim();
}

const broker = {
  connector: "rabbitmq",
  vhost: "/unused",
  pool: [{ host: "127.0.0.1", port: 61613, user: "u", password: "p" }],
} as const;

describe("applyRubyFix", () => {
  it("rewrites each installed file's positional call to keyword arguments, keeping line numbers", async () => {
    for (const patch of RUBY_FIX_PATCHES) {
      const source = await readFile(join(DEBIAN_RUBY_LIB, patch.file), "utf8");
      const patched = applyRubyFix(source, patch);
      expect(patched).toContain(patch.replace);
      expect(patched).not.toContain(patch.find);
      const before = source.split("\n");
      const after = patched.split("\n");
      const line = before.findIndex((l) => l.includes(patch.find));
      expect(after[line]).toContain(patch.replace);
      expect(after.at(-2)).toMatch(/^# Patched copy of .*@phobos\/interop/);
    }
  });

  it("maps exactly the positional arguments each call had", () => {
    expect(factsPatch.replace).toBe(
      "YAML.safe_load(File.read(file), permitted_classes: [Symbol], permitted_symbols: [], aliases: true)",
    );
    expect(sslPatch.replace).toBe("YAML.safe_load(msg, permitted_classes: [Symbol, Regexp])");
  });

  it("fails loudly when the expected call is not there (a changed Debian file)", () => {
    const changed = "facts.merge!(YAML.safe_load(File.read(file), permitted_classes: [Symbol]))\n";
    expect(() => applyRubyFix(changed, factsPatch, "/x/yaml_facts.rb")).toThrow(RubyFixError);
    expect(() => applyRubyFix(changed, factsPatch, "/x/yaml_facts.rb")).toThrow(
      /\/x\/yaml_facts\.rb: expected the call `YAML\.safe_load\(File\.read\(file\), \[Symbol\], \[\], true\)` exactly once, found it 0 times/,
    );
  });

  it("fails when the call appears twice or another positional call is left", () => {
    const twice = `${factsPatch.find}\n${factsPatch.find}\n`;
    expect(() => applyRubyFix(twice, factsPatch)).toThrow(/found it 2 times/);
    const another = `${factsPatch.find}\nYAML.safe_load(other, [Date])\n`;
    expect(() => applyRubyFix(another, factsPatch)).toThrow(/a positional YAML\.safe_load call is left/);
  });

  it("writeRubyFix reports a missing installed file by path", async () => {
    await expect(writeRubyFix(join(dir, "nowhere"), { rubyLib: join(dir, "no-ruby-lib") })).rejects.toThrow(
      /no-ruby-lib\/mcollective\/.*: cannot read the installed file/,
    );
  });
});

describe("the patched copies on Ruby 3.1", () => {
  it("are valid Ruby", async () => {
    const fix = await writeRubyFix(join(dir, "syntax"));
    for (const patch of RUBY_FIX_PATCHES) {
      const { stdout } = await run("ruby", ["-c", join(fix, patch.file)]);
      expect(stdout.trim()).toBe("Syntax OK");
    }
  });

  it("make the yaml fact source load facts (and without them it loads none)", async () => {
    const options = {
      identity: "fixcheck",
      broker,
      security: { provider: "psk", psk: "x" },
      facts: { role: "web", osfamily: "Debian", node_index: 1, flag: "yes" },
      extra: ["logger_type = console", "loglevel = fatal"],
    } as const;
    const fixed = await writeServerConfig(join(dir, "with-fix"), options);
    const getFacts =
      'puts MCollective::PluginManager["facts_plugin"].get_facts.sort.map { |k, v| "#{k}=#{v}" }';
    expect(await rubyWithConfig(fixed, getFacts)).toBe("flag=yes\nnode_index=1\nosfamily=Debian\nrole=web");

    // The bug the fix exists for: Debian's own file on Ruby 3.1 yields no facts.
    const unfixed = await writeServerConfig(join(dir, "without-fix"), {
      ...options,
      libdir: [DEBIAN_PLUGIN_DIR],
    });
    expect(await rubyWithConfig(unfixed, getFacts)).toBe("");
  });

  it("make ssl_serializer = yaml decode what Ruby's YAML.dump wrote", async () => {
    const config = join(dir, "ssl.cfg");
    const fix = await writeRubyFix(join(dir, "ssl-fix"));
    await writeFile(
      config,
      `libdir = ${fix}\nidentity = fixcheck\nsecurityprovider = ssl\nplugin.ssl_serializer = yaml\n` +
        "connector = rabbitmq\nlogger_type = console\nloglevel = fatal\n",
    );
    const roundTrip =
      'm = {:body => "x", :filter => {"fact" => [{:fact => "a", :value => "/w/", :operator => "=~"}]}, :re => /a.c/i}; ' +
      'p MCollective::PluginManager["security_plugin"].send(:deserialize, YAML.dump(m)) == m';
    expect(await rubyWithConfig(config, roundTrip)).toBe("true");
  });
});
