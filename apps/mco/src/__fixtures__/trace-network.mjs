// Appends to $TRACE_IMPORTS, in the order they happen, every module URL Node
// resolves (trace-imports-hooks.mjs) and the process's TCP connections: `net
// connect` when one is opened, `net established HOST:PORT` once it is, and
// `net data HOST:PORT` for its first bytes from the peer (a STOMP CONNECTED).
// A TLS connection opens a net socket too, so none goes unseen.
import diagnostics from "node:diagnostics_channel";
import { appendFileSync } from "node:fs";
import { register } from "node:module";

const file = process.env.TRACE_IMPORTS;
register("./trace-imports-hooks.mjs", import.meta.url, { data: { file } });

diagnostics.subscribe("net.client.socket", ({ socket }) => {
  const where = () => `${socket.remoteAddress}:${socket.remotePort}`;
  appendFileSync(file, "net connect\n");
  socket.once("connect", () => appendFileSync(file, `net established ${where()}\n`));
  socket.once("data", () => appendFileSync(file, `net data ${where()}\n`));
});
