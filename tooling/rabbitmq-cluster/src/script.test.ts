/**
 * The script's refusals: every bad argument or setting is named, and nothing
 * is started or changed (none of these reach a node or iptables).
 */
import { describe, expect, it } from "vitest";
import { clusterLayout, runClusterScript } from "./cluster.js";

describe("rabbitmq-cluster.sh refuses bad input by name", () => {
  it.each([
    { args: ["kill", "7"], code: 1, says: "unknown node '7'" },
    { args: ["partition", "c4"], code: 1, says: "unknown node 'c4'" },
    { args: ["partition"], code: 2, says: "usage:" },
    { args: ["heal", "1", "2"], code: 2, says: "usage:" },
    { args: ["frobnicate"], code: 2, says: "rabbitmq-cluster.sh partition NODE" },
    { args: [], code: 2, says: "usage:" },
  ])("$args: exit $code, '$says'", async ({ args, code, says }) => {
    const r = await runClusterScript(args);
    expect(r.code, r.output).toBe(code);
    expect(r.output).toContain(says);
  });

  it.each([
    {
      env: { PHOBOS_RABBITMQ_CLUSTER_PARTITION_HANDLING: "ignore" },
      says: "pause_minority or autoheal, got 'ignore'",
    },
    {
      env: { PHOBOS_RABBITMQ_CLUSTER_DIR: "relative/dir" },
      says: "must be an absolute path, got 'relative/dir'",
    },
    { env: { PHOBOS_RABBITMQ_CLUSTER_PORT_BASE: "4x" }, says: "must be a port number, got '4x'" },
    { env: { PHOBOS_RABBITMQ_CLUSTER_PORT_BASE: "65500" }, says: "leaves no room" },
  ])("$env: refused", async ({ env, says }) => {
    const r = await runClusterScript(["status"], { ...process.env, ...env });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain(says);
  });

  it("env prints the layout the tests use", async () => {
    const r = await runClusterScript(["env"], { ...process.env, PHOBOS_RABBITMQ_CLUSTER_PORT_BASE: "45100" });
    expect(r.code, r.output).toBe(0);
    const layout = clusterLayout({ PHOBOS_RABBITMQ_CLUSTER_PORT_BASE: "45100" });
    expect(r.output).toContain(
      `PHOBOS_RABBITMQ_CLUSTER_STOMP_PORTS=${layout.nodes.map((n) => n.stompPort).join(",")}`,
    );
    expect(r.output).toContain(
      `PHOBOS_RABBITMQ_CLUSTER_NODES='${layout.nodes.map((n) => n.name).join(" ")}'`,
    );
    expect(r.output).toContain(
      `PHOBOS_RABBITMQ_CLUSTER_MANAGEMENT_URLS=${layout.nodes.map((n) => n.managementUrl).join(",")}`,
    );
  });

  it("clusterLayout refuses a base without room for the ports", () => {
    expect(() => clusterLayout({ PHOBOS_RABBITMQ_CLUSTER_PORT_BASE: "65400" })).toThrow(/is not a TCP port/);
  });
});
