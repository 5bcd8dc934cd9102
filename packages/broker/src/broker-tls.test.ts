import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrokers } from "./test-support/broker-fixture.js";
import { headerMap, RawClient } from "./test-support/raw-client.js";
import { createTestPki, type TestPki } from "./test-support/tls-certs.js";

describe("broker over TLS", () => {
  const fixture = useBrokers();
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    await pki?.remove();
  });

  it("serves STOMP over TLS from certificate and key files", async () => {
    const broker = await fixture.broker({
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
    });
    expect(broker.tls).toBe(true);
    const sub = await fixture.client(broker.port, { tls: { ca: pki.ca } });
    await sub.connect();
    sub.send("SUBSCRIBE", { destination: "/exchange/secure/k", receipt: "s" });
    await sub.next();
    const pub = await fixture.client(broker.port, { tls: { ca: pki.ca } });
    await pub.connect();
    pub.send("SEND", { destination: "/exchange/secure/k" }, Buffer.from([0, 1, 0]));
    expect([...(await sub.next()).body]).toEqual([0, 1, 0]);
  });

  it("requires a client certificate from its CA when verifyClient is set", async () => {
    const broker = await fixture.broker({
      tls: {
        certFile: pki.serverCertFile,
        keyFile: pki.serverKeyFile,
        caFile: pki.caFile,
        verifyClient: true,
      },
    });
    const withCert = await fixture.client(broker.port, {
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    expect(headerMap(await withCert.connect()).version).toBe("1.0");

    // TLS 1.3 reports the refusal after the handshake: the connection dies before any frame.
    const refused = await RawClient.open(broker.port, { tls: { ca: pki.ca } }).then(
      async (client) => {
        client.send("CONNECT", { login: "guest", passcode: "guest" });
        await expect(client.next()).rejects.toThrow("connection closed");
        await client.close();
        return true;
      },
      () => true,
    );
    expect(refused).toBe(true);
  });

  it("refuses to start with half a TLS configuration", async () => {
    await expect(fixture.broker({ tls: { certFile: pki.serverCertFile } })).rejects.toThrow(
      "a certificate and a key are required",
    );
    await expect(
      fixture.broker({
        tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile, verifyClient: true },
      }),
    ).rejects.toThrow("verifyClient needs a CA");
    await expect(
      fixture.broker({ tls: { certFile: "/nonexistent.pem", keyFile: pki.serverKeyFile } }),
    ).rejects.toThrow("cannot read cert file /nonexistent.pem");
  });

  it("closes a TLS client that never sends CONNECT", async () => {
    const broker = await fixture.broker({
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      limits: { connectTimeoutMs: 300 },
    });
    const socket = tls.connect({ port: broker.port, host: "127.0.0.1", ca: pki.ca });
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("secureConnect", () => resolve()));
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  });
});
