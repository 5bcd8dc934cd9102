import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSslKeySite } from "./ssl-keys.js";

const dir = await mkdtemp(join(tmpdir(), "phobos-interop-ssl-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("createSslKeySite", () => {
  it("makes the servers' pair, trusted and untrusted users, and revokes", async () => {
    const site = await createSslKeySite(join(dir, "ssl"));
    expect(await readFile(site.serverPrivate, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await readFile(site.serverPublic, "utf8")).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const alice = await site.addUser("alice");
    await site.addUser("eve", { trusted: false });
    const carol = await site.addUser("carol", { type: "ed25519" });
    expect((await readdir(site.certDir)).sort()).toEqual(["alice.pem", "carol.pem"]);
    expect(await readFile(join(site.certDir, "alice.pem"), "utf8")).toBe(
      await readFile(alice.publicPath, "utf8"),
    );
    expect(
      execFileSync("openssl", ["pkey", "-pubin", "-in", carol.publicPath, "-text", "-noout"], {
        encoding: "utf8",
      }),
    ).toMatch(/ED25519 Public-Key/);
    await site.revoke("alice");
    expect(await readdir(site.certDir)).toEqual(["carol.pem"]);
    expect(site.user("eve").publicPath).toBe(join(site.dir, "users", "eve.pem"));
    await expect(site.addUser("not/allowed")).rejects.toThrow(/cannot be a caller id name/);
  });
});
