import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  brokerDefaultsFromEnv,
  checkReferenceEnvironment,
  PROVISION_HINT,
  ReferenceEnvironmentError,
} from "./reference-environment.js";

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("checkReferenceEnvironment", () => {
  it("finds Ruby, Debian's MCollective 2.12.5, and RabbitMQ's management API and STOMP listener", async () => {
    const env = await checkReferenceEnvironment();
    expect(env.rubyVersion).toMatch(/^3\.1\./);
    expect(env.stompPort).toBeGreaterThan(0);
    expect(env.rabbitmqVersion).toMatch(/^\d+\.\d+/);
  });

  it("fails with every missing piece and the provisioning hint, never a skip", async () => {
    const port = await closedPort();
    const error = await checkReferenceEnvironment({
      ...process.env,
      PATH: "/nonexistent",
      RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${port}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceEnvironmentError);
    const message = (error as Error).message;
    expect(message).toContain(`(${PROVISION_HINT})`);
    expect(message).toContain("run `sh tooling/scripts/provision.sh`");
    expect(message).toMatch(/- ruby does not run: /);
    expect(message).toMatch(
      /- RabbitMQ's management API \(rabbitmq_management plugin\) does not answer: .*ECONNREFUSED/,
    );
  });
});

describe("brokerDefaultsFromEnv", () => {
  it("defaults to guest on localhost and takes RABBITMQ_* overrides", () => {
    expect(brokerDefaultsFromEnv({})).toEqual({
      admin: { url: "http://127.0.0.1:15672", username: "guest", password: "guest" },
      stompHost: "127.0.0.1",
      stompPort: undefined,
    });
    expect(
      brokerDefaultsFromEnv({
        RABBITMQ_MANAGEMENT_URL: "http://[::1]:15673",
        RABBITMQ_MANAGEMENT_USER: "admin",
        RABBITMQ_MANAGEMENT_PASSWORD: "secret",
        RABBITMQ_STOMP_PORT: "61614",
      }),
    ).toEqual({
      admin: { url: "http://[::1]:15673", username: "admin", password: "secret" },
      stompHost: "::1",
      stompPort: 61614,
    });
    expect(() => brokerDefaultsFromEnv({ RABBITMQ_STOMP_PORT: "stomp" })).toThrow(/is not a TCP port/);
  });
});
