/**
 * The meta registration plugin: core's registration conformance suite, and
 * its body byte for byte against the Hash registration-meta built in Ruby
 * from the same facts file, classes file and collectives (one ruby
 * process), with Phobos's extra `:version` key after it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, type Facts, type RubyValue, sym } from "@phobos/core";
import { describeRegistrationPlugin, openPlugin } from "@phobos/testing";
import { afterAll, describe, expect, it } from "vitest";
import meta from "./registration.js";

const dir = mkdtempSync(join(tmpdir(), "phobos-registration-meta-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const facts: Facts = {
  osfamily: "Debian",
  role: "web",
  networking: { ip: "10.0.0.5", interfaces: ["eth0", "lo"] },
  café: "ünïcode",
};
const classes = ["base", "role::web", "profile::nginx"];
const services = {
  identity: "web1.example.com",
  version: "2.12.5",
  collectives: ["zoo", "mcollective", "infra"],
  mainCollective: "mcollective",
  agents: () => ["discovery", "package", "rpcutil"],
  facts: async () => facts,
  classes: async () => classes,
};

describeRegistrationPlugin({ definition: meta, services });

/** What registration-meta's body is in Ruby for the same node: its keys, in its order. */
function rubyMetaBody(): Buffer {
  const factsFile = join(dir, "facts.yaml");
  const classesFile = join(dir, "classes.txt");
  writeFileSync(factsFile, JSON.stringify(facts));
  writeFileSync(classesFile, `${classes.join("\n")}\n`);
  const script = `
    require "yaml"
    result = {:agentlist => [], :facts => {}, :classes => [], :collectives => []}
    result[:classes] = File.readlines(ARGV[1]).map { |line| line.chomp }
    result[:identity] = "web1.example.com"
    result[:agentlist] = ["discovery", "package", "rpcutil"]
    result[:facts] = YAML.safe_load(File.read(ARGV[0]))
    result[:collectives] = ["zoo", "mcollective", "infra"].sort
    STDOUT.binmode
    STDOUT.write(Marshal.dump(result))
  `;
  const run = spawnSync("ruby", ["-EUTF-8", "-e", script, factsFile, classesFile], { encoding: "buffer" });
  if (run.status !== 0) throw new Error(`ruby failed: ${run.stderr.toString()}`);
  return run.stdout;
}

describe("meta registration", () => {
  it("sends registration-meta's Hash: Symbol keys in its order, then :version", async () => {
    const running = await openPlugin({ definition: meta, services }, "server");
    const body = (await running.instance.body()) as Map<RubyValue, RubyValue>;
    running.close();
    expect([...body.keys()]).toEqual(
      ["agentlist", "facts", "classes", "collectives", "identity", "version"].map((k) => sym(k)),
    );
    expect(body.get(sym("collectives"))).toEqual(["infra", "mcollective", "zoo"]);
    expect(body.get(sym("version"))).toBe("2.12.5");

    const withoutVersion = new Map(body);
    withoutVersion.delete(sym("version"));
    expect(Buffer.from(dump(withoutVersion)).toString("hex")).toBe(rubyMetaBody().toString("hex"));
  });

  it("sends empty facts and classes when the node has none", async () => {
    const running = await openPlugin(
      { definition: meta, services: { ...services, facts: async () => ({}), classes: async () => [] } },
      "server",
    );
    const body = (await running.instance.body()) as Map<RubyValue, RubyValue>;
    running.close();
    expect(body.get(sym("facts"))).toEqual(new Map());
    expect(body.get(sym("classes"))).toEqual([]);
  });
});
