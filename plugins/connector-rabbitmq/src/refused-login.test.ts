/**
 * A wrong password against the machine's real RabbitMQ: the broker refuses
 * every attempt with the same ERROR frame, and the connector says so once
 * (at error level), not once per retry; the retries stay visible at debug.
 */
import { ConnectorError } from "@phobos/core";
import { type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterEach, describe, expect, it } from "vitest";
import rabbitmq from "./connector.js";

const opened: OpenPlugin<"connector">[] = [];

afterEach(async () => {
  await Promise.all(
    opened.splice(0).map(async (p) => {
      await p.instance.disconnect().catch(() => {});
      p.close();
    }),
  );
});

describe("a broker that refuses the login on every attempt", () => {
  it("logs the refusal once, and gives up after max_reconnect_attempts naming it", async () => {
    const plugin = await openPlugin(
      {
        definition: rabbitmq,
        settings: {
          vhost: "/",
          "pool.size": "1",
          "pool.1.host": "127.0.0.1",
          "pool.1.port": "61613",
          "pool.1.user": "guest",
          "pool.1.password": "not-the-password",
          initial_reconnect_delay: "0.01",
          max_reconnect_attempts: "3",
          // RabbitMQ holds a refused connection open a while; the handshake timeout ends each attempt.
          connect_timeout: "2",
        },
      },
      "client",
      "refused-login",
    );
    opened.push(plugin);
    const error = await plugin.instance.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(
      /^Could not connect to RabbitMQ \(gave up after 3 attempts\): .*Access refused/,
    );

    const refusals = plugin.log.lines.filter((l) => /sent an ERROR frame.*Access refused/.test(l.message));
    const errors = refusals.filter((l) => l.level === "error");
    expect(errors.map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^RabbitMQ sent an ERROR frame on stomp:\/\/guest@127\.0\.0\.1:61613: .*Access refused/,
      ),
    ]);
    // Every attempt was refused; the later ones only at debug.
    expect(refusals.filter((l) => l.level === "debug").length).toBeGreaterThanOrEqual(1);
    expect(
      refusals.filter((l) => l.level === "debug").every((l) => / \(again, attempt \d+\)$/.test(l.message)),
    ).toBe(true);
  });
});
