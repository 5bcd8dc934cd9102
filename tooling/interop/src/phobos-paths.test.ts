import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PHOBOS_FORMS, phobosBin, phobosCommand, phobosForm, SHIPPED_ROOT } from "./phobos-paths.js";

describe("PHOBOS_UNDER_TEST", () => {
  it("is the workspace form when unset and rejects a form it does not know, by name", () => {
    expect(phobosForm({})).toBe("workspace");
    expect(phobosForm({ PHOBOS_UNDER_TEST: "shipped" })).toBe("shipped");
    expect(() => phobosForm({ PHOBOS_UNDER_TEST: "installed" })).toThrow(
      "PHOBOS_UNDER_TEST=installed: expected one of workspace, shipped",
    );
  });

  it("runs the workspace bins on this Node and the shipped launchers on the pinned Node 22", () => {
    expect(phobosBin("mco", "shipped")).toBe(`${SHIPPED_ROOT}/bin/mco`);
    const printVersion = "--import=\"data:text/javascript,console.error('node='+process.version)\"";
    for (const form of PHOBOS_FORMS) {
      const { command, args } = phobosCommand("mcollectived", ["--help"], form);
      const r = spawnSync(command, args, {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: printVersion },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("Usage: mcollectived");
      const version = /node=(v\S+)/.exec(r.stderr)?.[1];
      expect(version).toEqual(form === "workspace" ? process.version : expect.stringMatching(/^v22\./));
    }
  });
});
