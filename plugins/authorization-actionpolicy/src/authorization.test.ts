/**
 * The action_policy plugin on a stub node (facts, classes, one data plugin):
 * the conformance suite, then MCollective's decision order — first matching
 * rule, the file's default, allow_unconfigured, the default policy file —
 * and the facts and classes columns judged on the node, groups, and broken
 * policies that deny instead of opening. Requests on a running daemon are
 * in the interop suite.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AgentServices,
  type Authorization,
  buildPluginContext,
  createLogger,
  createPlugin,
  memorySink,
  type RpcRequest,
} from "@phobos/core";
import { createStubServices, describeAuthorizationPlugin, sampleRpcRequest } from "@phobos/testing";
import { afterAll, describe, expect, it } from "vitest";
import actionPolicy, { NOT_AUTHORIZED } from "./authorization.js";

const root = mkdtempSync(join(tmpdir(), "phobos-actionpolicy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let sites = 0;
/** A config directory with `policies/` holding `files`. */
function site(files: Record<string, string>): string {
  const dir = join(root, `site${++sites}`);
  mkdirSync(join(dir, "policies"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "policies", name), text);
  return dir;
}

function services(configDir: string): AgentServices {
  return createStubServices({
    identity: "web1",
    configFile: join(configDir, "server.cfg"),
    facts: async () => ({ customer: "acme", environment: "production", role: "web", cores: "8" }),
    classes: async () => ["base", "acme::devserver", "role::web"],
    agents: () => ["rpcutil", "puppet", "service"],
    dataSources: () => ["puppet_data"],
    queryData: async (source) => {
      if (source !== "puppet") throw new Error(`no ${source}`);
      return { enabled: false, lastrun: 100 };
    },
  });
}

async function policyFor(configDir: string, config: Record<string, string> = {}) {
  const log = memorySink("debug");
  const ctx = buildPluginContext({
    type: "authorization",
    name: "action_policy",
    pluginSettings: new Map(Object.entries(config)),
    log: createLogger(log),
    identity: "web1",
    mode: "server",
    services: services(configDir),
  });
  const plugin: Authorization = await createPlugin(actionPolicy, ctx);
  return { plugin, log };
}

const request = (caller: string, agent = "puppet", action = "status"): RpcRequest =>
  sampleRpcRequest({ caller, agent, action });

async function allowed(plugin: Authorization, r: RpcRequest): Promise<boolean> {
  const verdict = await plugin.authorize(r);
  if (!verdict.allowed) expect(verdict.reason).toBe(NOT_AUTHORIZED);
  return verdict.allowed;
}

describe("conformance", () => {
  const dir = site({ "package.policy": "policy default deny\nallow\tuid=500\tinstall\t*\t*\n" });
  describeAuthorizationPlugin({
    definition: actionPolicy,
    services: { configFile: join(dir, "server.cfg") },
    requests: [
      { request: sampleRpcRequest(), allowed: true },
      { request: sampleRpcRequest({ caller: "uid=501" }), allowed: false },
      { request: sampleRpcRequest({ agent: "service" }), allowed: false },
    ],
  });
});

describe("which policy applies", () => {
  it("denies an agent without a policy file unless plugin.actionpolicy.allow_unconfigured is on", async () => {
    const dir = site({});
    const { plugin, log } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=admin"))).toBe(false);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      `Denying cert=admin puppet#status: no policy file for agent puppet in ${join(dir, "policies")} (plugin.actionpolicy.allow_unconfigured is off)`,
    );
    const open = await policyFor(dir, { "plugin.actionpolicy.allow_unconfigured": "y" });
    expect(await allowed(open.plugin, request("cert=admin"))).toBe(true);
  });

  it("falls back to <default_name>.policy with enable_default, ahead of allow_unconfigured", async () => {
    const dir = site({
      "default.policy": "policy default deny\nallow\tcert=admin\t*\t*\t*\n",
      "site.policy": "policy default allow\n",
    });
    const { plugin } = await policyFor(dir, {
      "plugin.actionpolicy.enable_default": "1",
      "plugin.actionpolicy.allow_unconfigured": "1",
    });
    expect(await allowed(plugin, request("cert=admin"))).toBe(true);
    expect(await allowed(plugin, request("cert=dev"))).toBe(false);
    const named = await policyFor(dir, {
      "plugin.actionpolicy.enable_default": "y",
      "plugin.actionpolicy.default_name": "site",
    });
    expect(await allowed(named.plugin, request("cert=dev"))).toBe(true);
  });

  it("reads the flags as MCollective did, and says so when a value is unclear", async () => {
    const { plugin, log } = await policyFor(site({}), { "plugin.actionpolicy.allow_unconfigured": "true" });
    expect(await allowed(plugin, request("cert=admin"))).toBe(false);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      "plugin.actionpolicy.allow_unconfigured = true is read as off, as MCollective reads it: use 1 or y, 0 or n",
    );
  });
});

describe("rules", () => {
  it("uses the first rule that matches, then the file's default", async () => {
    const dir = site({
      "puppet.policy":
        "policy default allow\ndeny\tcert=intern\tenable disable\t*\t*\nallow\tcert=intern\t*\t*\t*\n",
    });
    const { plugin, log } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=intern", "puppet", "disable"))).toBe(false);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      `Denying cert=intern puppet#disable: explicit deny at ${join(dir, "policies", "puppet.policy")}:2`,
    );
    expect(await allowed(plugin, request("cert=intern", "puppet", "status"))).toBe(true);
    expect(await allowed(plugin, request("cert=anyone", "puppet", "disable"))).toBe(true);
  });

  it("uses allow_unconfigured when the file has no default", async () => {
    const dir = site({ "puppet.policy": "allow\tcert=admin\t*\t*\t*\n" });
    expect(await allowed((await policyFor(dir)).plugin, request("cert=dev"))).toBe(false);
    const open = await policyFor(dir, { "plugin.actionpolicy.allow_unconfigured": "1" });
    expect(await allowed(open.plugin, request("cert=dev"))).toBe(true);
  });

  it("matches callers exactly, by /regex/, or through groups", async () => {
    const dir = site({
      "puppet.policy": "policy default deny\nallow\tcert=bob /^cert=ops-/ sysadmins\t*\t*\t*\n",
      groups: "sysadmins cert=sa1 cert=sa2\n",
    });
    const { plugin } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=bob"))).toBe(true);
    // Ruby's first actionpolicy matched substrings: cert=bo was let in by cert=bob.
    expect(await allowed(plugin, request("cert=bo"))).toBe(false);
    expect(await allowed(plugin, request("cert=ops-jane"))).toBe(true);
    expect(await allowed(plugin, request("cert=sa2"))).toBe(true);
    expect(await allowed(plugin, request("cert=sa3"))).toBe(false);
  });

  it("judges the facts and classes columns on this node", async () => {
    const dir = site({
      "puppet.policy": [
        "policy default deny",
        "allow\tcert=a\t*\tcustomer=acme role=web\tacme::devserver base",
        "allow\tcert=b\t*\tcustomer=other\t*",
        "allow\tcert=c\t*\t*\tnot::here",
        "allow\tcert=d\t*\tcores>4\t/^role::/",
        "allow\tcert=e\trestart\t(puppet().enabled=false and environment=production) or environment=development",
        "allow\tcert=f\t*\t*\tbase and not role::db",
        "allow\tcert=g\t*\tenvironment=development or role=db",
        "",
      ].join("\n"),
    });
    const { plugin } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=a"))).toBe(true);
    expect(await allowed(plugin, request("cert=b"))).toBe(false);
    expect(await allowed(plugin, request("cert=c"))).toBe(false);
    expect(await allowed(plugin, request("cert=d"))).toBe(true);
    expect(await allowed(plugin, request("cert=e", "puppet", "restart"))).toBe(true);
    expect(await allowed(plugin, request("cert=f"))).toBe(true);
    expect(await allowed(plugin, request("cert=g"))).toBe(false);
  });

  it("treats a data query it cannot answer as not matching, and logs the rule", async () => {
    const dir = site({
      "puppet.policy": "policy default deny\nallow\tcert=a\t*\tnosuch().x=1 or nosuch().x=2\n",
    });
    const { plugin } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=a"))).toBe(false);
  });
});

describe("a policy that does not parse", () => {
  it("denies its agent, logs file:line once, and applies a fixed file at once", async () => {
    const dir = site({ "puppet.policy": "policy default allow\nallow cert=admin * * *\n" });
    const file = join(dir, "policies", "puppet.policy");
    const { plugin, log } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=admin"))).toBe(false);
    expect(await allowed(plugin, request("cert=anyone"))).toBe(false);
    const errors = log.lines.filter((l) => l.level === "error").map((l) => l.message);
    expect(errors).toEqual([
      `${file}:2: rule fields must be separated by tabs, not spaces: denying every request for agent puppet until the policy is fixed`,
    ]);
    writeFileSync(file, "policy default deny\nallow\tcert=admin\t*\t*\t*\n# fixed\n");
    expect(await allowed(plugin, request("cert=admin"))).toBe(true);
  });

  it("a broken groups file denies every agent's requests", async () => {
    const dir = site({ "puppet.policy": "policy default allow\n", groups: "bad/name cert=a\n" });
    const { plugin, log } = await policyFor(dir);
    expect(await allowed(plugin, request("cert=admin"))).toBe(false);
    expect(log.lines.filter((l) => l.level === "error").map((l) => l.message)[0]).toMatch(
      /groups:1: 'bad\/name cert=a' is not in the format .*: denying every request until the groups file is fixed$/,
    );
  });
});
