/**
 * The socket stompjs drives: bytes both ways untouched (STOMP bodies are
 * binary, NULs included), open/close/error reported as a WebSocket would,
 * over a real TCP connection.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TcpStompSocket } from "./socket-adapter.js";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function server(onConnection: (socket: Socket) => void): Promise<number> {
  const s = createServer(onConnection);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return (s.address() as AddressInfo).port;
}

const event = <T>(register: (resolve: (value: T) => void) => void) => new Promise<T>(register);

describe("TcpStompSocket", () => {
  it("passes every byte value through in both directions, as ArrayBuffers", async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const toServer: Buffer[] = [];
    const port = await server((peer) => {
      peer.on("data", (c) => toServer.push(c));
      peer.write(Buffer.concat([Buffer.from([0, 0]), all]));
    });
    const s = new TcpStompSocket({ host: "127.0.0.1", port });
    const toClient: Buffer[] = [];
    s.onmessage = (ev) => {
      expect(ev.data).toBeInstanceOf(ArrayBuffer);
      toClient.push(Buffer.from(ev.data));
    };
    await event<void>((resolve) => {
      s.onopen = () => resolve();
    });
    s.send(all);
    s.send(new Uint8Array(all).buffer);
    s.send("text\0");
    const deadline = Date.now() + 2_000;
    const want = { client: all.length + 2, server: all.length * 2 + 5 };
    while (
      (Buffer.concat(toClient).length < want.client || Buffer.concat(toServer).length < want.server) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Buffer.concat(toClient).equals(Buffer.concat([Buffer.from([0, 0]), all]))).toBe(true);
    expect(Buffer.concat(toServer).equals(Buffer.concat([all, all, Buffer.from("text\0")]))).toBe(true);
    const closed = event<unknown>((resolve) => {
      s.onclose = resolve;
    });
    s.close();
    await closed;
    expect(s.readyState).toBe(3);
  });

  it("sends the frames of one tick in one write, in order, and later frames in a write of their own", async () => {
    const toServer: Buffer[] = [];
    const port = await server((peer) => peer.on("data", (c) => toServer.push(c)));
    const s = new TcpStompSocket({ host: "127.0.0.1", port });
    await event<void>((resolve) => {
      s.onopen = () => resolve();
    });
    // The real writev runs: the spy only counts the calls.
    const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, "_writev");
    try {
      s.send(Buffer.from("SEND\n\nA\0"));
      s.send("SEND\n\nB\0");
      s.send(new Uint8Array(Buffer.from("SEND\n\nC\0")).buffer);
      await new Promise((r) => setImmediate(r));
      expect(writev).toHaveBeenCalledTimes(1);
      expect((writev.mock.calls[0] as unknown[])[0]).toHaveLength(3);
      s.send("SEND\n\nD\0");
      await new Promise((r) => setImmediate(r));
      expect(writev).toHaveBeenCalledTimes(1);
      const want = "SEND\n\nA\0SEND\n\nB\0SEND\n\nC\0SEND\n\nD\0";
      const deadline = Date.now() + 2_000;
      while (Buffer.concat(toServer).length < want.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(Buffer.concat(toServer).toString("latin1")).toBe(want);
    } finally {
      writev.mockRestore();
      // A failed expectation must not leave the server waiting on this connection.
      s.terminate();
    }
  });

  it("speaks TLS when the target has tls options", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phobos-stomp-tls-"));
    try {
      try {
        execFileSync(
          "openssl",
          ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat(
            ["-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=phobos test"],
            ["-addext", "subjectAltName=IP:127.0.0.1"],
          ),
          { cwd: dir, stdio: "pipe" },
        );
      } catch (error) {
        throw new Error(`openssl req failed (is openssl installed?): ${(error as Error).message}`);
      }
      const cert = readFileSync(join(dir, "cert.pem"));
      const received: Buffer[] = [];
      const s = createTlsServer({ cert, key: readFileSync(join(dir, "key.pem")) }, (peer) => {
        peer.on("data", (c: Buffer) => received.push(c));
        peer.write("CONNECTED\n\n\0");
      });
      servers.push(s);
      await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
      const port = (s.address() as AddressInfo).port;
      const socket = new TcpStompSocket({ host: "127.0.0.1", port, tls: { ca: [cert] } });
      expect(socket.url).toBe(`stomp+ssl://127.0.0.1:${port}`);
      const reply = event<string>((resolve) => {
        socket.onmessage = (ev) => resolve(Buffer.from(ev.data).toString());
      });
      await event<void>((resolve) => {
        socket.onopen = () => resolve();
      });
      socket.send("CONNECT\n\n\0");
      expect(await reply).toBe("CONNECTED\n\n\0");
      const deadline = Date.now() + 2_000;
      while (Buffer.concat(received).length < 10 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(Buffer.concat(received).toString()).toBe("CONNECT\n\n\0");
      socket.terminate();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a refused connection as an error, then a close, with the reason kept", async () => {
    const port = await server(() => {});
    await new Promise((r) => servers.pop()?.close(r));
    const s = new TcpStompSocket({ host: "127.0.0.1", port });
    const closed = event<{ reason: string }>((resolve) => {
      s.onclose = (ev) => resolve(ev as { reason: string });
    });
    let errored = false;
    s.onerror = () => {
      errored = true;
    };
    const { reason } = await closed;
    expect(errored).toBe(true);
    expect(reason).toMatch(/ECONNREFUSED/);
    expect(s.lastError?.message).toMatch(/ECONNREFUSED/);
  });

  it("ignores sends before it is open and after it is closed", async () => {
    const port = await server(() => {});
    const s = new TcpStompSocket({ host: "127.0.0.1", port });
    expect(() => s.send("too early")).not.toThrow();
    await event<void>((resolve) => {
      s.onopen = () => resolve();
    });
    s.terminate();
    expect(() => s.send("too late")).not.toThrow();
  });
});
