/**
 * The logfile audit plugin: the conformance suite; its lines against the
 * lines Debian's own MCollective::RPC::Logfile writes for the same requests
 * (one ruby process); refused requests; JSON lines; order under load.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Audit,
  type AuditRecord,
  buildPluginContext,
  createLogger,
  createPlugin,
  memorySink,
} from "@phobos/core";
import { describeAuditPlugin, sampleAuditRecord } from "@phobos/testing";
import { afterAll, describe, expect, it } from "vitest";
import logfile from "./audit.js";

const dir = mkdtempSync(join(tmpdir(), "phobos-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function auditTo(file: string, format?: string): Promise<Audit> {
  const ctx = buildPluginContext({
    type: "audit",
    name: "logfile",
    pluginSettings: new Map([
      ["plugin.rpcaudit.logfile", file],
      ...(format ? ([["plugin.rpcaudit.format", format]] as const) : []),
    ]),
    log: createLogger(memorySink()),
    identity: "node1",
    mode: "server",
  });
  return createPlugin(logfile, ctx);
}

const records: AuditRecord[] = [
  { ...sampleAuditRecord(), requestTime: 1795531612 },
  {
    time: new Date(),
    requestid: "0123456789abcdef0123456789abcdef",
    requestTime: 1795531700,
    agent: "rpcutil",
    action: "ping",
    caller: "cert=alice",
    sender: "client.example.com",
    data: { process_results: true },
  },
  {
    time: new Date(),
    requestid: "fedcba9876543210fedcba9876543210",
    requestTime: 1795531701,
    agent: "package",
    action: "install",
    caller: "uid=0",
    sender: "web-1",
    data: {
      package: "zsh",
      version: "5.9-4+b2",
      list: [1, "two", null, 1.5, true],
      nested: { note: 'é\n"quoted"\t', n: -3, lines: "one\ntwo\n\nfour", trailing: "one line\n" },
      empty: "",
      big: 12345678901234567890n,
      process_results: false,
    },
  },
];

describe("conformance", () => {
  describeAuditPlugin({
    definition: logfile,
    settings: { "rpcaudit.logfile": join(dir, "conformance.log") },
  });
});

describe("the logfile format", () => {
  it("writes the lines Ruby MCollective's logfile audit writes, timestamp aside", async () => {
    const mine = join(dir, "phobos.log");
    const plugin = await auditTo(mine);
    for (const record of records) await plugin.audit(record);

    const theirs = join(dir, "ruby.log");
    const script = `
      require "mcollective"
      require "mcollective/audit/logfile"
      require "json"
      MCollective::Config.instance.instance_variable_set(:@pluginconf, {"rpcaudit.logfile" => ARGV[0]})
      Req = Struct.new(:uniqid, :time, :caller, :sender, :agent, :action, :data)
      symbolize = ->(v) { v.is_a?(Hash) ? v.to_h { |k, x| [k.to_sym, symbolize.(x)] } : v.is_a?(Array) ? v.map(&symbolize) : v }
      JSON.parse(STDIN.read).each do |r|
        data = symbolize.(r["data"])
        data[:big] = Integer(data[:big]) if data.key?(:big)
        MCollective::RPC::Logfile.new.audit_request(Req.new(r["requestid"], r["requestTime"], r["caller"], r["sender"], r["agent"], r["action"], data), nil)
      end`;
    const input = JSON.stringify(records, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    const r = spawnSync("ruby", ["-e", script, theirs], {
      input,
      encoding: "utf8",
      env: { ...process.env, RUBYOPT: "" },
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
      throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
    }
    expect(r.status, r.stderr).toBe(0);
    const untimed = (text: string) => text.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] /gm, "[TIME] ");
    expect(untimed(readFileSync(mine, "utf8"))).toBe(untimed(readFileSync(theirs, "utf8")));
    expect(readFileSync(mine, "utf8")).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] reqid=5f0e7c1b9a3d4e2f8a6b1c0d9e8f7a6b: reqtime=1795531612 caller=uid=500@client.example.com agent=package action=install data=\{:package=>"zsh", :process_results=>true\}\n/,
    );
  });

  it("audits refused requests too, marking them", async () => {
    const file = join(dir, "denied.log");
    const plugin = await auditTo(file);
    await plugin.audit({
      ...(records[1] as AuditRecord),
      authorization: { allowed: false, reason: "You are not authorized to call this agent or action." },
    });
    await plugin.audit({ ...(records[1] as AuditRecord), authorization: { allowed: true } });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(
      / caller=cert=alice@client.example.com agent=rpcutil action=ping data=\{:process_results=>true\} authorization=denied$/,
    );
    expect(lines[1]).toMatch(/ data=\{:process_results=>true\}$/);
  });

  it("keeps the order requests were audited in", async () => {
    const file = join(dir, "order.log");
    const plugin = await auditTo(file);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        plugin.audit({ ...(records[1] as AuditRecord), requestid: `id${i}` }),
      ),
    );
    const ids = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => /reqid=(id\d+):/.exec(l)?.[1]);
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => `id${i}`));
  });
});

describe("the json format", () => {
  it("writes one JSON object a line with the verdict", async () => {
    const file = join(dir, "audit.jsonl");
    const plugin = await auditTo(file, "json");
    await plugin.audit(records[2] as AuditRecord);
    await plugin.audit({
      ...(records[1] as AuditRecord),
      authorization: { allowed: false, reason: "You are not authorized to call this agent or action." },
    });
    const [first, second] = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      requestid: "fedcba9876543210fedcba9876543210",
      request_time: 1795531701,
      caller: "uid=0",
      sender: "web-1",
      agent: "package",
      action: "install",
      authorized: null,
      data: { package: "zsh", big: "12345678901234567890", nested: { note: 'é\n"quoted"\t', n: -3 } },
    });
    expect(second).toMatchObject({
      authorized: false,
      reason: "You are not authorized to call this agent or action.",
    });
    expect(typeof first?.time).toBe("string");
  });

  it("refuses an unknown format", async () => {
    await expect(auditTo(join(dir, "x.log"), "xml")).rejects.toThrow(
      /plugin.rpcaudit.format: 'xml' is not an audit format/,
    );
  });
});
