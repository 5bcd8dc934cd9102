/**
 * Test helpers: TCP endpoints on loopback in the three states a connect can
 * meet (accepting, refusing, not answering).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface Endpoint {
  port: number;
  close(): Promise<void>;
}

/** A listener that accepts. */
export async function openListener(): Promise<Endpoint> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nobody listens on (the kernel answers with a reset). */
export async function closedPort(): Promise<number> {
  const listener = await openListener();
  await listener.close();
  return listener.port;
}

/**
 * A listener that never answers a handshake: a socket that listens with a
 * backlog of 0 and never accepts (Ruby's Socket, since Node always accepts),
 * its one queue slot taken, so the kernel drops further SYNs.
 */
export async function openBlackhole(): Promise<Endpoint> {
  const child: ChildProcess = spawn(
    "ruby",
    [
      "-rsocket",
      "-e",
      's = Socket.new(:INET, :STREAM); s.bind(Addrinfo.tcp("127.0.0.1", 0)); s.listen(0); puts s.local_address.ip_port; STDOUT.flush; STDIN.read',
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", (err) =>
      reject(new Error(`ruby could not be started (run tooling/scripts/provision.sh): ${err.message}`)),
    );
    child.stdout?.once("data", (chunk) => resolve(Number(String(chunk).trim())));
  });
  const filler: Socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => filler.once("connect", resolve).once("error", reject));
  return {
    port,
    close: async () => {
      filler.destroy();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin?.end();
      await exited;
    },
  };
}
