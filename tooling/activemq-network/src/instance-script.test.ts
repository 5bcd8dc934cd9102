/**
 * activemq-instance.sh's network settings as written into activemq.xml (the
 * broker itself reads them in network-of-brokers.test.ts), and its refusals.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVEMQ_INSTANCE_SCRIPT } from "@phobos/interop";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "amq-network-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PHOBOS_ACTIVEMQ_")),
  );
  const run = spawnSync("sh", [ACTIVEMQ_INSTANCE_SCRIPT, "config", dir, "44401"], {
    env: { ...clean, ...env },
    encoding: "utf8",
  });
  return {
    code: run.status,
    stderr: run.stderr,
    xml: () => readFileSync(join(dir, "conf", "activemq.xml"), "utf8"),
  };
}

const connectors = (xml: string) =>
  [...xml.matchAll(/<networkConnector [^>]*>.*?<\/networkConnector>/g)].map((m) => m[0]);

describe("activemq-instance.sh: a network member's activemq.xml", () => {
  it("without PHOBOS_ACTIVEMQ_NETWORK: no network connector, no OpenWire", () => {
    const r = config({});
    expect(r.code, r.stderr).toBe(0);
    expect(r.xml()).not.toContain("networkConnector");
    expect(r.xml()).not.toContain("openwire");
  });

  it("a duplex topic connector (conduit) and a duplex queue connector (one consumer per selector) per peer", () => {
    const r = config({
      PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411",
      PHOBOS_ACTIVEMQ_NETWORK: "127.0.0.1:44412,hub.example.net:61616",
      PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES: "mcollective,uk_collective",
      PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS: "2000",
    });
    expect(r.code, r.stderr).toBe(0);
    const xml = r.xml();
    expect(xml).toContain('<transportConnector name="openwire" uri="tcp://127.0.0.1:44411"/>');
    const all = connectors(xml);
    expect(all).toHaveLength(4);
    const [topics, queues, hubTopics] = all as [string, string, string, string];
    expect(topics).toContain('name="phobos-44401-127_0_0_1_44412-topics"');
    expect(topics).toContain(
      'uri="static:(tcp://127.0.0.1:44412)?initialReconnectDelay=100&amp;maxReconnectDelay=2000&amp;useExponentialBackOff=true"',
    );
    expect(topics).toContain('duplex="true"');
    expect(topics).not.toContain("conduitSubscriptions");
    expect(topics).toContain(
      '<dynamicallyIncludedDestinations><topic physicalName="mcollective.>"/><topic physicalName="uk_collective.>"/></dynamicallyIncludedDestinations>',
    );
    expect(topics).toContain('<excludedDestinations><queue physicalName=">"/></excludedDestinations>');
    expect(queues).toContain('conduitSubscriptions="false"');
    expect(queues).toContain(
      '<dynamicallyIncludedDestinations><queue physicalName="mcollective.>"/><queue physicalName="uk_collective.>"/></dynamicallyIncludedDestinations>',
    );
    expect(queues).toContain('<excludedDestinations><topic physicalName=">"/></excludedDestinations>');
    expect(hubTopics).toContain("static:(tcp://hub.example.net:61616)");
  });

  it.each([
    [{ PHOBOS_ACTIVEMQ_NETWORK: "127.0.0.1:44412" }, /needs PHOBOS_ACTIVEMQ_OPENWIRE_PORT too/],
    [{ PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411", PHOBOS_ACTIVEMQ_NETWORK: "hub" }, /'hub' is not HOST:PORT/],
    [
      { PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411", PHOBOS_ACTIVEMQ_NETWORK: "hub:x1" },
      /'hub:x1' is not HOST:PORT/,
    ],
    [
      { PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411", PHOBOS_ACTIVEMQ_NETWORK: ":61616" },
      /':61616' is not HOST:PORT/,
    ],
    [
      {
        PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411",
        PHOBOS_ACTIVEMQ_NETWORK: "h:1",
        PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES: "a>b",
      },
      /'a>b' is not a collective name/,
    ],
    [
      {
        PHOBOS_ACTIVEMQ_OPENWIRE_PORT: "44411",
        PHOBOS_ACTIVEMQ_NETWORK: "h:1",
        PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS: "5s",
      },
      /PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS must be milliseconds, got '5s'/,
    ],
  ])("refuses %o, saying what is wrong", (env, message) => {
    const r = config(env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
