/**
 * The puppetdb discovery method as mco loads it, against the real PuppetDB
 * (tooling/scripts/provision.sh): over HTTP and over HTTPS with a client
 * certificate, key and CA; deactivated nodes left out; and PuppetDB down,
 * silent or answering an error reported in one line naming the URL, within
 * the discovery timeout.
 */
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { buildFilter, type Filter, type HostFilterOption, readDdlFile } from "@phobos/core";
import { openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ddl from "./ddl.js";
import puppetdb from "./discovery.js";
import { findServer } from "./server.js";
import {
  deactivateNode,
  loadNodes,
  PUPPETDB_SSL_DIR,
  PUPPETDB_SSL_URL,
  PUPPETDB_URL,
  requirePuppetDb,
  testEnvironment,
} from "./testing.js";

const ENV = testEnvironment("discovery_test");
const NODES = ["alpha", "beta", "gamma"].map((name, i) => ({
  certname: `${name}-${ENV}`,
  facts: { osfamily: i === 1 ? "RedHat" : "Debian", index: i },
  classes: ["base", ...(i === 0 ? ["mcollective_agent_rpcutil"] : [])],
}));

async function discover(settings: Record<string, string>, args: [HostFilterOption, string][], timeout = 5) {
  const plugin = await openPlugin(
    { definition: puppetdb, settings: { environment: ENV, ...settings } },
    "client",
    "mco",
  );
  try {
    const filter: Filter = buildFilter(args);
    return await plugin.instance.discover({ filter, timeout, limit: 0, options: [], client: {} as never });
  } finally {
    plugin.close();
  }
}

const servers: Server[] = [];
const sockets: Socket[] = [];
/** A TCP port that accepts connections and never says anything. */
async function silentPort(): Promise<number> {
  const server = createTcpServer((socket) => sockets.push(socket));
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  await requirePuppetDb();
  await loadNodes(ENV, NODES);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe("puppetdb discovery against a real PuppetDB", () => {
  it("over HTTP: the filter's nodes, sorted", async () => {
    expect(await discover({ server: PUPPETDB_URL }, [])).toEqual(NODES.map((n) => n.certname).sort());
    expect(await discover({ server: PUPPETDB_URL }, [["-F", "osfamily=Debian"]])).toEqual([
      `alpha-${ENV}`,
      `gamma-${ENV}`,
    ]);
    expect(await discover({ server: PUPPETDB_URL }, [["-S", "index>=1 and not osfamily=RedHat"]])).toEqual([
      `gamma-${ENV}`,
    ]);
    expect(
      await discover({ server: PUPPETDB_URL }, [
        ["-A", "rpcutil"],
        ["-C", "base"],
      ]),
    ).toEqual([`alpha-${ENV}`]);
  });

  it("over HTTPS with the client's certificate, key and CA", async () => {
    const tls = {
      server: PUPPETDB_SSL_URL,
      ssl_ca: join(PUPPETDB_SSL_DIR, "ca.pem"),
      ssl_cert: join(PUPPETDB_SSL_DIR, "client.pem"),
      ssl_key: join(PUPPETDB_SSL_DIR, "client-key.pem"),
    };
    expect(await discover(tls, [["-F", "osfamily=RedHat"]])).toEqual([`beta-${ENV}`]);
    // host:port with the port setting: https is the default scheme.
    const { port, hostname } = new URL(PUPPETDB_SSL_URL);
    expect(await discover({ ...tls, server: hostname, port }, [["-I", `beta-${ENV}`]])).toEqual([
      `beta-${ENV}`,
    ]);
  });

  it("HTTPS without a client certificate: PuppetDB refuses, and the error names the URL", async () => {
    const ca = join(PUPPETDB_SSL_DIR, "ca.pem");
    await expect(discover({ server: PUPPETDB_SSL_URL, ssl_ca: ca }, [])).rejects.toThrow(
      new RegExp(`Cannot query PuppetDB at ${PUPPETDB_SSL_URL}/pdb/query/v4: TLS: .*alert.*certificate`),
    );
  });

  it("leaves deactivated nodes out", async () => {
    await deactivateNode(`gamma-${ENV}`);
    expect(await discover({ server: PUPPETDB_URL }, [])).toEqual([`alpha-${ENV}`, `beta-${ENV}`]);
  });

  it("refuses a filter PQL cannot express before asking anything", async () => {
    await expect(
      discover({ server: "http://127.0.0.1:1" }, [["-S", 'fstat("/etc/hosts").size>1']]),
    ).rejects.toThrow(/cannot express the -S function fstat/);
  });

  it("has a DDL mco can render, declaring compound filters", async () => {
    expect(ddl.discovery.capabilities).toContain("compound");
    expect(ddl.metadata.name).toBe("puppetdb");
    expect(typeof readDdlFile).toBe("function");
  });
});

describe("PuppetDB down, slow or failing: one line naming the URL", () => {
  it("down: connection refused", async () => {
    const server = createTcpServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const error = await discover({ server: `http://127.0.0.1:${port}` }, []).catch((e: Error) => e);
    expect(String((error as Error).message)).toBe(
      `discovery plugin 'puppetdb' failed in discover: Cannot query PuppetDB at http://127.0.0.1:${port}/pdb/query/v4: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect((error as Error).message).not.toContain("\n");
  });

  it("slow: gives up after the discovery timeout", async () => {
    const port = await silentPort();
    await expect(discover({ server: `http://127.0.0.1:${port}` }, [], 1)).rejects.toThrow(
      `PuppetDB at http://127.0.0.1:${port}/pdb/query/v4 did not answer within the discovery timeout of 1s`,
    );
    // Without --discovery-timeout (the DDL's 0), plugin.puppetdb.timeout bounds it.
    await expect(discover({ server: `http://127.0.0.1:${port}`, timeout: "1" }, [], 0)).rejects.toThrow(
      /did not answer within the discovery timeout of 1s/,
    );
  });

  it("an error status: the status and the first line of the body", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(503, "Service Unavailable", { "content-type": "text/plain" });
      res.end("PuppetDB is in maintenance mode\nmore detail\n");
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    await expect(discover({ server: `http://127.0.0.1:${port}` }, [])).rejects.toThrow(
      new RegExp(
        `^discovery plugin 'puppetdb' failed in discover: PuppetDB at http://127\\.0\\.0\\.1:${port}/pdb/query/v4 answered HTTP 503 Service Unavailable: PuppetDB is in maintenance mode$`,
      ),
    );
  });

  it("a bad setting names its key", async () => {
    await expect(discover({ server: "ftp://x" }, [])).rejects.toThrow(
      /plugin\.puppetdb\.server: must be a host name/,
    );
    await expect(discover({ server: "x", port: "99999" }, [])).rejects.toThrow(
      /plugin\.puppetdb\.port: must be a TCP port/,
    );
    await expect(discover({ ssl_ca: "/nonexistent/ca.pem" }, [])).rejects.toThrow(
      /plugin\.puppetdb\.ssl_ca: cannot read \/nonexistent\/ca\.pem: ENOENT/,
    );
  });
});

describe("finding PuppetDB", () => {
  const settings = async (values: Record<string, string>) =>
    (await openPlugin({ definition: puppetdb, settings: values }, "client", "mco")).ctx.settings;

  it("SRV _x-puppet-db first, then _x-puppet with the configured port, then puppet:8081", async () => {
    const asked: string[] = [];
    const records: Record<string, { name: string; port: number; priority: number; weight: number }[]> = {
      "_x-puppet-db._tcp.example.net": [
        { name: "pdb2.example.net", port: 8091, priority: 20, weight: 0 },
        { name: "pdb1.example.net", port: 8090, priority: 10, weight: 5 },
      ],
      "_x-puppet._tcp.other.net": [{ name: "puppet.other.net", port: 8140, priority: 1, weight: 1 }],
    };
    const lookup = async (name: string) => {
      asked.push(name);
      const r = records[name];
      if (!r) throw Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      return r;
    };
    expect(await findServer(await settings({ srv_domain: "example.net" }), lookup)).toMatchObject({
      protocol: "https:",
      host: "pdb1.example.net",
      port: 8090,
    });
    expect(await findServer(await settings({ srv_domain: "other.net" }), lookup)).toMatchObject({
      host: "puppet.other.net",
      port: 8081,
    });
    expect(await findServer(await settings({ srv_domain: "none.net", port: "8443" }), lookup)).toMatchObject({
      host: "puppet",
      port: 8443,
    });
    expect(asked).toEqual([
      "_x-puppet-db._tcp.example.net",
      "_x-puppet-db._tcp.other.net",
      "_x-puppet._tcp.other.net",
      "_x-puppet-db._tcp.none.net",
      "_x-puppet._tcp.none.net",
    ]);
    // A configured server needs no DNS; use_srv = false skips it.
    expect(await findServer(await settings({ server: "pdb.example.net:9000" }), lookup)).toMatchObject({
      host: "pdb.example.net",
      port: 9000,
    });
    expect(
      await findServer(await settings({ srv_domain: "example.net", use_srv: "false" }), lookup),
    ).toMatchObject({
      host: "puppet",
      port: 8081,
    });
    expect(asked).toHaveLength(5);
  });
});
