/**
 * The registry's metric set on a real metrics endpoint, over a receiver
 * writing a real registry (SQLite and PostgreSQL): a scrape over HTTP
 * counts the registrations handled and refused, the rows written, and the
 * live and stale nodes the database holds.
 */
import {
  createLogger,
  type DecodedRequest,
  emptyFilter,
  memorySink,
  PluginSettings,
  type RubyValue,
  sym,
} from "@phobos/core";
import { type MetricsEndpoint, parseExposition, sampleValue, startMetricsEndpoint } from "@phobos/metrics";
import { registrySettings } from "@phobos/registry";
import { createTestDatabase, type TestDatabase } from "@phobos/registry/testing";
import { afterEach, describe, expect, it } from "vitest";
import { registrationMetricSet } from "./metrics.js";
import { RegistrationReceiver } from "./receiver.js";

const request = (senderid: string): DecodedRequest => ({
  senderid,
  requestid: "0123456789abcdef0123456789abcdef",
  filter: emptyFilter(),
  collective: "mcollective",
  agent: "registration",
  callerid: "uid=0",
  ttl: 60,
  msgtime: 1_700_000_000,
  body: null,
});

const meta = new Map<RubyValue, RubyValue>([
  [sym("agentlist"), ["rpcutil"]],
  [sym("facts"), new Map<RubyValue, RubyValue>([["role", "web"]])],
  [sym("classes"), ["base"]],
]);

let db: TestDatabase | undefined;
let receiver: RegistrationReceiver | undefined;
let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  await receiver?.close();
  await db?.drop();
});

describe.each(["sqlite", "postgres"] as const)("registry metrics on %s", (kind) => {
  it("count registrations, refusals, rows written, and live and stale nodes", async () => {
    db = await createTestDatabase(kind);
    const clock = { now: Date.UTC(2026, 11, 1) };
    const settings = registrySettings(
      new PluginSettings(
        "registration",
        new Map([
          ["database", db.database],
          ["flush_interval", "3600"],
        ]),
      ),
    );
    receiver = new RegistrationReceiver(settings, createLogger(memorySink("debug")), {
      maxFactsSize: 256 * 1024,
      now: () => clock.now,
    });
    await receiver.start();
    endpoint = await startMetricsEndpoint({
      host: "127.0.0.1",
      port: 0,
      sets: [registrationMetricSet(receiver)],
    });

    receiver.handle(["discovery", "rpcutil"], request("old1"));
    await receiver.flush();
    // Past the default stale_after (1800 s): old1 is stale, web1 is not.
    clock.now += 2000 * 1000;
    receiver.handle(meta, request("web1"));
    receiver.handle(42, request("bad1"));
    await receiver.flush();

    const response = await fetch(endpoint.url);
    expect(response.status).toBe(200);
    const samples = parseExposition(await response.text());
    expect(sampleValue(samples, "phobos_registry_registrations_total")).toBe(3);
    expect(sampleValue(samples, "phobos_registry_refused_total")).toBe(1);
    expect(sampleValue(samples, "phobos_registry_written_total")).toBe(2);
    expect(sampleValue(samples, "phobos_registry_dropped_total")).toBe(0);
    expect(sampleValue(samples, "phobos_registry_queued")).toBe(0);
    expect(sampleValue(samples, "phobos_registry_nodes", { state: "live" })).toBe(1);
    expect(sampleValue(samples, "phobos_registry_nodes", { state: "stale" })).toBe(1);
  });
});
