import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect, it } from "vitest";
import { clientLogger } from "./client-logger.js";
import { configFromText } from "./config.js";

it("mco with logger_type = syslog logs to syslog at logfacility, as Ruby's mco did", async () => {
  const dir = await mkdtemp(join(tmpdir(), "metrics-client-syslog-"));
  const path = join(dir, "log.sock");
  let text = "";
  const sockets: Socket[] = [];
  const server = createServer((conn) => {
    sockets.push(conn);
    conn.on("data", (chunk) => {
      text += chunk.toString();
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    const log = clientLogger(
      configFromText(
        `logger_type = syslog\nlogfacility = local1\nloglevel = warn\nplugin.syslog.socket = ${path}\n`,
      ),
    );
    log.info("not at warn");
    log.warn("no replies");
    for (let i = 0; i < 400 && !text.includes("\n"); i++) await new Promise((r) => setTimeout(r, 25));
    // local1 (17) * 8 + warning (4)
    expect(text).toMatch(
      new RegExp(`^<140>.* ${basename(process.argv[1] ?? "")}\\[${process.pid}\\]: no replies\\n$`),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
});
