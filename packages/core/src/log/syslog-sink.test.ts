import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "./logger.js";
import { SYSLOG_FACILITIES, type SyslogSink, type SyslogSinkOptions, syslogSink } from "./syslog-sink.js";

function openSink(level: Parameters<typeof syslogSink>[0], options: SyslogSinkOptions): SyslogSink {
  const sink = syslogSink(level, options);
  sinks.push(sink);
  return sink;
}

let dir: string | undefined;
let server: Server | undefined;
const sinks: SyslogSink[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const sink of sinks.splice(0)) sink.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A stream syslog socket (syslog-ng's unix-stream), collecting each record logger(1) writes to it. */
async function receiver(): Promise<{ path: string; records: string[] }> {
  dir = await mkdtemp(join(tmpdir(), "metrics-syslog-"));
  const path = join(dir, "log.sock");
  const records: string[] = [];
  let buffered = "";
  server = createServer((conn) => {
    conn.setEncoding("utf8");
    conn.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      records.push(...lines);
    });
  });
  await new Promise<void>((resolve) => server?.listen(path, resolve));
  return { path, records };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe("syslogSink (logger_type = syslog)", () => {
  it("writes each line at its facility and MCollective's severity, as ident[pid]: tag message", async () => {
    const { path, records } = await receiver();
    const log = createLogger(
      openSink("debug", { facility: "local3", ident: "mcollectived", socket: path }),
      "agent/rpcutil",
    );
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e\nsecond line");
    log.fatal("f");
    await until(() => records.length === 6, "six records");
    const local3 = SYSLOG_FACILITIES.local3 as number;
    const stamp = "[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d";
    const expected: Array<[number, string]> = [
      [7, "agent/rpcutil d"],
      [6, "agent/rpcutil i"],
      [4, "agent/rpcutil w"],
      [3, "agent/rpcutil e"],
      [3, "second line"],
      [2, "agent/rpcutil f"],
    ];
    expected.forEach(([severity, text], i) => {
      expect(records[i]).toMatch(
        new RegExp(`^<${local3 * 8 + severity}>${stamp} mcollectived\\[${process.pid}\\]: ${text}$`),
      );
    });
  });

  it("writes nothing below its level", async () => {
    const { path, records } = await receiver();
    const log = createLogger(openSink("warn", { facility: "daemon", ident: "mco", socket: path }));
    log.info("quiet");
    log.warn("loud");
    await until(() => records.length === 1, "one record");
    expect(records[0]).toMatch(/^<28>.* mco\[\d+\]: loud$/);
  });

  it("says once on stderr why it cannot reach the socket, then logs there", async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const sink = openSink("info", {
      facility: "user",
      ident: "mcollectived",
      socket: "/nonexistent/metrics-log.sock",
    });
    sink.write("info", "", "first");
    await until(() => written.some((w) => w.includes("failed")), "the failure line");
    sink.write("info", "tag", "after");
    sink.write("info", "tag", "again");
    expect(
      written.filter((w) => w.includes("syslog logging to /nonexistent/metrics-log.sock failed")),
    ).toHaveLength(1);
    expect(written).toContain("info: tag after\n");
    expect(written).toContain("info: tag again\n");
  });

  it("refuses a facility syslog does not have", () => {
    expect(() => syslogSink("info", { facility: "local9", ident: "x" })).toThrow(
      "unknown syslog facility 'local9'",
    );
  });
});
