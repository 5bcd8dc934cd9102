/**
 * phobos-keygen: the files it writes, where, with which modes, and that the
 * real tools read them — openssl, and (in one ruby process) Debian's
 * MCollective::SSL, which signs and verifies with them as the Ruby ssl
 * plugin would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { decode64, encode64 } from "../base64.js";
import { readPrivateKey, readPublicKey } from "../keys/key-files.js";
import { main } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "phobos-keygen-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  let text = "";
  return {
    stream: {
      write: (chunk: string) => {
        text += chunk;
      },
    },
    get text() {
      return text;
    },
  };
}

async function keygen(...argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await main(argv, out.stream, err.stream);
  return { code, stdout: out.text, stderr: err.text };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe("phobos-keygen", () => {
  it("writes the servers' pair as server-private.pem (0600) and server-public.pem", async () => {
    const r = await keygen("server", "--dir", join(dir, "server"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`plugin.ssl_server_private = ${join(dir, "server", "server-private.pem")}`);
    expect(mode(join(dir, "server", "server-private.pem"))).toBe(0o600);
    expect(readFileSync(join(dir, "server", "server-private.pem"), "utf8")).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n/,
    );
    expect(readFileSync(join(dir, "server", "server-public.pem"), "utf8")).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n/,
    );
  });

  it("writes a user's pair as NAME-private.pem and NAME.pem, copied into a clients' directory on request", async () => {
    const r = await keygen(
      "client",
      "alice",
      "--dir",
      join(dir, "alice"),
      "--cert-dir",
      join(dir, "clients"),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Caller id: cert=alice");
    expect(readFileSync(join(dir, "clients", "alice.pem"))).toEqual(
      readFileSync(join(dir, "alice", "alice.pem")),
    );
    expect(readPrivateKey(join(dir, "alice", "alice-private.pem")).type).toBe("rsa");
  });

  it("makes Ed25519 pairs with --type ed25519", async () => {
    const r = await keygen("client", "carol", "--type", "ed25519", "--dir", join(dir, "carol"));
    expect(r.code, r.stderr).toBe(0);
    const key = readPrivateKey(join(dir, "carol", "carol-private.pem"));
    expect(key.type).toBe("ed25519");
    const signature = key.sign(Buffer.from("hello"));
    expect(readPublicKey(join(dir, "carol", "carol.pem")).verify(Buffer.from("hello"), signature)).toBe(true);
  });

  it("refuses to overwrite a key unless --force", async () => {
    const again = await keygen("server", "--dir", join(dir, "server"));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/server-private.pem exists: pass --force to replace it/);
    expect((await keygen("server", "--dir", join(dir, "server"), "--force")).code).toBe(0);
  });

  it("explains usage mistakes", async () => {
    expect((await keygen()).stderr).toMatch(/say server or client/);
    expect((await keygen("client")).stderr).toMatch(/a client needs a NAME/);
    expect((await keygen("client", "a b")).stderr).toMatch(/a client needs a NAME/);
    expect((await keygen("server", "--type", "dsa")).stderr).toMatch(/--type dsa: use rsa or ed25519/);
    expect((await keygen("server", "--type", "ed25519", "--bits", "4096")).stderr).toMatch(
      /--bits is for RSA keys/,
    );
    expect((await keygen("server", "--bits", "1024", "--dir", join(dir, "small"))).stderr).toMatch(
      /2048 to 16384 bits/,
    );
    expect((await keygen("--help")).stdout).toMatch(/^Usage: phobos-keygen server/);
  });

  it("runs as the package's bin", () => {
    const bin = fileURLToPath(new URL("../../bin/phobos-keygen", import.meta.url));
    const r = spawnSync(
      process.execPath,
      [bin, "client", "bin-user", "--type", "ed25519", "--dir", join(dir, "bin")],
      {
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Caller id: cert=bin-user");
  });

  it("writes keys openssl reads: PKCS#8 private keys, SPKI public keys", () => {
    const rsa = execFileSync(
      "openssl",
      ["rsa", "-in", join(dir, "alice", "alice-private.pem"), "-check", "-noout"],
      {
        encoding: "utf8",
      },
    );
    expect(rsa).toMatch(/RSA key ok/);
    const pub = execFileSync(
      "openssl",
      ["pkey", "-pubin", "-in", join(dir, "carol", "carol.pem"), "-text", "-noout"],
      {
        encoding: "utf8",
      },
    );
    expect(pub).toMatch(/ED25519 Public-Key/);
    // openssl verifies Phobos's RSA-SHA1 signature, as MCollective's wire notes check captures.
    const data = join(dir, "data.bin");
    const sig = join(dir, "data.sig");
    writeFileSync(data, "signed by phobos");
    writeFileSync(sig, readPrivateKey(join(dir, "alice", "alice-private.pem")).sign(readFileSync(data)));
    const verified = execFileSync(
      "openssl",
      ["dgst", "-sha1", "-verify", join(dir, "alice", "alice.pem"), "-signature", sig, data],
      { encoding: "utf8" },
    );
    expect(verified.trim()).toBe("Verified OK");
  });

  it("writes RSA keys Ruby MCollective's SSL class signs and verifies with, both ways", () => {
    const priv = join(dir, "alice", "alice-private.pem");
    const pub = join(dir, "alice", "alice.pem");
    const phobosSignature = encode64(readPrivateKey(priv).sign(Buffer.from("from phobos")));
    const script = `
      require "mcollective"
      require "json"
      ssl = MCollective::SSL.new(ARGV[0], ARGV[1])
      input = JSON.parse(STDIN.read)
      puts JSON.generate({
        "ruby_signature" => ssl.sign("from ruby", true),
        "phobos_verified" => ssl.verify_signature(input["signature"], "from phobos", true),
      })`;
    const r = spawnSync("ruby", ["-e", script, pub, priv], {
      input: JSON.stringify({ signature: phobosSignature }),
      encoding: "utf8",
      env: { ...process.env, RUBYOPT: "" },
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
      throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
    }
    expect(r.status, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout) as { ruby_signature: string; phobos_verified: boolean };
    expect(answer.phobos_verified).toBe(true);
    const signature = decode64(answer.ruby_signature) as Buffer;
    expect(readPublicKey(pub).verify(Buffer.from("from ruby"), signature)).toBe(true);
  });
});
