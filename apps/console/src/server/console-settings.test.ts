import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@phobos/core";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./__fixtures__/test-site.js";
import { consoleSettings } from "./console-settings.js";

const dir = mkdtempSync(join(tmpdir(), "console-server-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(lines: string[]): string {
  const file = join(dir, `client-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(file, `${["securityprovider = psk", "plugin.psk = x", ...lines].join("\n")}\n`);
  return file;
}

const settingsOf = (lines: string[]) => {
  const file = config(lines);
  return consoleSettings(loadConfig(file), file);
};

describe("the console's keys in client.cfg", () => {
  it("has defaults, and places the users file beside client.cfg", () => {
    const s = settingsOf([]);
    expect(s).toMatchObject({ bind: "127.0.0.1", port: 8080, tls: undefined, loginAttempts: 5 });
    expect(s.usersFile).toBe(join(dir, "console-users.json"));
  });

  it.each([
    [["plugin.console.prot = 1"], /plugin\.console\.prot: is not a console setting: use one of bind, port/],
    [["plugin.console.port = 70000"], /\.cfg:3: plugin\.console\.port: '70000' is not a TCP port/],
    [["plugin.console.port = eighty"], /plugin\.console\.port/],
    [["plugin.console.tls_cert = c.pem"], /plugin\.console\.tls_key: is not set: TLS needs both/],
    [["plugin.console.session_secret = short"], /plugin\.console\.session_secret: is too short/],
    [["plugin.console.login_attempts = 0"], /plugin\.console\.login_attempts: '0' must be at least 1/],
  ])("%j is a ConfigError naming the key", (lines, message) => {
    expect(() => settingsOf(lines)).toThrow(message);
  });
});

describe("phobos-console user", () => {
  it("adds a user from stdin with a scrypt hash in a 0600 file, lists and removes it", async () => {
    const file = config(["plugin.console.users = people.json"]);
    const added = await run(["-c", file, "user", "add", "carol"], "carol-password\n");
    expect(added).toMatchObject({ code: 0, stderr: "" });
    const users = join(dir, "people.json");
    expect(statSync(users).mode & 0o777).toBe(0o600);
    const { readFileSync } = await import("node:fs");
    const stored = JSON.parse(readFileSync(users, "utf8")).users.carol;
    expect(stored.password).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(JSON.stringify(stored)).not.toContain("carol-password");
    expect((await run(["-c", file, "user", "list"])).stdout).toBe("carol\n");
    expect((await run(["-c", file, "user", "remove", "carol"])).code).toBe(0);
    expect((await run(["-c", file, "user", "list"])).stdout).toBe("");
  });

  it("refuses a login that cannot be a callerid, a short password, and a bad key, in one line", async () => {
    const file = config([]);
    const badLogin = await run(["-c", file, "user", "add", "al ice"], "long-enough\n");
    expect(badLogin.code).toBe(1);
    expect(badLogin.stderr).toMatch(/^phobos-console: 'al ice' is not a console login/);
    const short = await run(["-c", file, "user", "add", "dave"], "short\n");
    expect(short.stderr).toBe("phobos-console: the password needs at least 8 characters\n");
    const badKey = await run(["-c", config(["plugin.console.bind6 = ::1"]), "user", "list"]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/plugin\.console\.bind6: is not a console setting/);
  });
});
