/**
 * The embedded broker's limits as `plugin.broker.*` keys, here the pre-auth
 * ones (issue 19 item 5): a value reaches the broker, a bad one is a
 * ConfigError naming the key. The whole site through a daemon-hosted broker
 * is in embedded-broker.e2e.test.ts.
 */
import net from "node:net";
import { ConfigError, configFromText, createLogger, type LogLevel } from "@phobos/core";
import { eventually } from "@phobos/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "./embedded-broker.js";

const lines: string[] = [];
const log = createLogger({
  level: "debug",
  write: (level: LogLevel, tag: string, message: string) => lines.push(`${level} ${tag} ${message}`),
});
let broker: EmbeddedBroker | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await broker?.close();
  broker = undefined;
  lines.length = 0;
});

function config(extra: string): ReturnType<typeof configFromText> {
  return configFromText(`plugin.broker.enable = 1\nplugin.broker.port = 0\n${extra}\n`, "server.cfg");
}

/** Opens a TCP connection from `localAddress` that never sends a byte; resolves once connected. */
function idle(port: number, localAddress: string): Promise<{ closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = net.connect({ host: "127.0.0.1", port, localAddress }, () =>
      resolve({ closed: () => closed }),
    );
    socket.on("error", reject);
    socket.on("close", () => {
      closed = true;
    });
    sockets.push(socket);
  });
}

/** A STOMP login from 127.0.0.1; resolves with the broker's first answer. */
function login(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () =>
      socket.write("CONNECT\naccept-version:1.2\nlogin:guest\npasscode:guest\n\n\0"),
    );
    sockets.push(socket);
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (text.includes("\0")) resolve(text.slice(0, text.indexOf("\n")));
    });
    socket.on("error", reject);
  });
}

describe("plugin.broker.* limits", () => {
  it("passes the pre-auth limits to the broker it starts", async () => {
    broker = await startEmbeddedBroker(
      config(
        [
          "plugin.broker.max_preauth_per_address = 2",
          "plugin.broker.connect_rate_per_address = 0",
          "plugin.broker.connect_timeout = 3600000",
        ].join("\n"),
      ),
      log,
    );
    const port = broker?.port ?? 0;
    const flood: Array<{ closed: () => boolean }> = [];
    for (let i = 0; i < 6; i++) flood.push(await idle(port, "127.0.0.2"));
    await eventually(
      () => (flood.filter((s) => s.closed()).length === 4 ? true : undefined),
      "4 idle sockets closed",
      60_000,
      20,
    );
    expect(flood.map((s) => s.closed())).toEqual([true, true, true, true, false, false]);
    expect(await login(port)).toBe("CONNECTED");
    expect(
      lines.some((line) => /warn broker closed \d+ connection\(s\) that had not logged in/.test(line)),
    ).toBe(true);
  });

  it.each([
    ["max_preauth_connections = 0", "broker limit maxPreauthConnections must be a number >= 1, got 0"],
    ["max_preauth_per_address = lots", "'lots' is not a non-negative integer"],
    ["connect_burst_per_address = -3", "'-3' is not a non-negative integer"],
  ])("refuses plugin.broker.%s, naming the key", async (line, message) => {
    const key = `plugin.broker.${line.split(" = ")[0]}`;
    const start = startEmbeddedBroker(config(`plugin.broker.${line}`), log);
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`${key}: ${message}`);
  });
});
