/**
 * bench:scale's plumbing against real brokers (no figures asserted): a small
 * fleet on the embedded broker and, over AMQP, on the machine's RabbitMQ;
 * every reply counted, the CPU split read from /proc, the bench node's ports.
 */
import { afterEach, describe, expect, it } from "vitest";
import { benchRabbitAddress, startBenchRabbit } from "./bench-rabbitmq.js";
import { processCpuMs, processTree } from "./proc-cpu.js";
import { runScaleCase } from "./scale-case.js";
import { openScaleSite, type ScaleSite } from "./scale-site.js";

let open: ScaleSite | undefined;
afterEach(async () => {
  await open?.dispose();
  open = undefined;
});

describe("the bench RabbitMQ node's address", () => {
  it("keeps the default ports and moves all four with PHOBOS_BENCH_PORT_BASE", () => {
    expect(benchRabbitAddress({})).toEqual({
      node: "phobos-bench@localhost",
      ports: { amqp: 5680, stomp: 61680, management: 15680, dist: 25680 },
    });
    expect(benchRabbitAddress({ PHOBOS_BENCH_PORT_BASE: "45300" })).toEqual({
      node: "phobos-bench-45300@localhost",
      ports: { amqp: 45300, stomp: 45301, management: 45302, dist: 45303 },
    });
    expect(() => benchRabbitAddress({ PHOBOS_BENCH_PORT_BASE: "80" })).toThrow(/PHOBOS_BENCH_PORT_BASE=80/);
    expect(() => benchRabbitAddress({ PHOBOS_BENCH_PORT_BASE: "x" })).toThrow(/PHOBOS_BENCH_PORT_BASE=x/);
  });
});

describe("CPU time from /proc", () => {
  it("reads this process and finds a child below it", async () => {
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(2 ** 30)).toBe(0);
    const { spawn } = await import("node:child_process");
    const child = spawn("sleep", ["5"]);
    try {
      await new Promise((r) => child.once("spawn", r));
      expect(processTree(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });
});

describe("a scale case", () => {
  it("runs ping and rpcutil ping rounds over two fleet-sim processes on the embedded broker", async () => {
    open = await openScaleSite("embedded", undefined);
    expect(() => open?.transportExtra("amqp")).toThrow(/STOMP only/);
    const result = await runScaleCase(open.site, {
      nodes: 6,
      procs: 2,
      kinds: ["discovery-ping", "rpcutil-ping"],
      rounds: 2,
      warmup: 1,
      brokerPids: open.brokerPids(),
    });
    expect(result.errors).toEqual([]);
    expect(result.ready).toMatchObject({ ready: 6, count: 6 });
    expect([...result.byKind.keys()]).toEqual(["discovery-ping", "rpcutil-ping"]);
    for (const rounds of result.byKind.values()) {
      expect(rounds).toHaveLength(2);
      for (const r of rounds) {
        expect(r).toMatchObject({ replies: 6, lost: 0 });
        expect(r.brokerCpuMs).toBeGreaterThanOrEqual(0);
        expect(r.fleetCpuMs).toBeGreaterThanOrEqual(0);
      }
    }
    expect(result.brokerIdleCpuPerS).toBeGreaterThanOrEqual(0);
  });

  it("runs a fleet and a client over AMQP on the machine's RabbitMQ", async () => {
    const saved = process.env.PHOBOS_BENCH_RABBITMQ;
    process.env.PHOBOS_BENCH_RABBITMQ = "system";
    try {
      const rabbit = await startBenchRabbit();
      open = await openScaleSite("rabbitmq", rabbit);
      const extra = open.transportExtra("amqp");
      expect(extra).toMatchObject({ "plugin.rabbitmq.transport": "amqp" });
      const { writeClientConfig } = await import("@phobos/interop");
      const clientConfig = await writeClientConfig(`${open.site.dir}/client-amqp`, {
        identity: "phobos-bench-client",
        broker: open.site.broker,
        security: open.site.security,
        extra,
      });
      const result = await runScaleCase(open.site, {
        nodes: 4,
        kinds: ["discovery-ping", "rpcutil-ping"],
        rounds: 1,
        warmup: 1,
        serverExtra: extra,
        clientConfig,
        brokerPids: open.brokerPids(),
      });
      expect(result.errors).toEqual([]);
      for (const rounds of result.byKind.values())
        for (const r of rounds) expect(r).toMatchObject({ replies: 4, lost: 0 });
    } finally {
      if (saved === undefined) delete process.env.PHOBOS_BENCH_RABBITMQ;
      else process.env.PHOBOS_BENCH_RABBITMQ = saved;
    }
  });
});
