/**
 * What the ssl plugin refuses and why, message by message: tampered ttl,
 * msgtime or agent, an unsigned (older protocol) body, callers whose key is
 * unknown, removed or replaced, malformed caller ids; what
 * `plugin.ssl.enforce_ttl = 0` lets through; encryption; configuration
 * mistakes. End-to-end refusals on running daemons are in the interop suites.
 */
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigError,
  dump,
  emptyFilter,
  load,
  type RequestEnvelope,
  type RubyValue,
  SecurityError,
  sym,
} from "@phobos/core";
import nacl from "tweetnacl";
import { afterAll, describe, expect, it } from "vitest";
import { createKeySite } from "./__fixtures__/key-site.js";
import { sslProvider } from "./__fixtures__/provider.js";
import { rubySignedRequest } from "./__fixtures__/ruby-signed.js";
import { encode64 } from "./base64.js";
import { BOX_PREFIX } from "./box.js";
import { readPrivateKey, readPublicKey } from "./keys/key-files.js";

const site = createKeySite("rsa");
const alice = site.user("alice");
site.user("bob", { trusted: false });
const mallory = site.user("mallory");
const edSite = createKeySite("ed25519");
const carol = edSite.user("carol", { type: "ed25519" });
edSite.user("dave", { type: "ed25519" });

afterAll(() => {
  site.remove();
  edSite.remove();
});

const now = () => Math.floor(Date.now() / 1000);

function rpcRequest(overrides: Partial<RequestEnvelope> = {}): RequestEnvelope {
  return {
    senderid: "client1",
    requestid: "0123456789abcdef0123456789abcdef",
    filter: { ...emptyFilter(), agent: ["rpcutil"] },
    collective: "mcollective",
    agent: "rpcutil",
    ttl: 60,
    msgtime: now(),
    body: new Map<RubyValue, RubyValue>([
      [sym("agent"), "rpcutil"],
      [sym("action"), "ping"],
      [sym("caller"), "cert=alice"],
      [sym("data"), new Map<RubyValue, RubyValue>([[sym("process_results"), true]])],
    ]),
    ...overrides,
  };
}

/** Re-dumps a Marshal envelope after `edit`: the signature is left as it was. */
function edited(bytes: Uint8Array, edit: (envelope: Map<RubyValue, RubyValue>) => void): Uint8Array {
  const envelope = load(bytes) as Map<RubyValue, RubyValue>;
  edit(envelope);
  return dump(envelope);
}

function refusal(fn: () => unknown): SecurityError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecurityError) return error;
    throw error;
  }
  throw new Error("expected a SecurityError, got none");
}

describe("a daemon decoding requests", () => {
  it("takes ttl and msgtime from the signed body, and calls the caller cert=<key name>", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    expect(client.callerId()).toBe("cert=alice");
    const request = server.decodeRequest(client.encodeRequest(rpcRequest({ ttl: 30 })));
    expect(request.callerid).toBe("cert=alice");
    expect(request.ttl).toBe(30);
  });

  it("refuses a request whose ttl or msgtime was changed in transit", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const bytes = client.encodeRequest(rpcRequest());
    const longer = refusal(() => server.decodeRequest(edited(bytes, (e) => e.set(sym("ttl"), 86400))));
    expect(longer.reason).toBe("invalid-signature");
    expect(longer.message).toMatch(
      /^Request 0123456789abcdef0123456789abcdef from cert=alice@client1 TTL does not match encrypted TTL - possible tampering/,
    );
    const later = refusal(() =>
      server.decodeRequest(edited(bytes, (e) => e.set(sym("msgtime"), now() + 3600))),
    );
    expect(later.message).toMatch(/Message Time does not match encrypted Message Time - possible tampering/);
  });

  it("refuses a request re-addressed to another agent than the signed body names", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    // A Ruby client signs no :agent of its own: the SimpleRPC body's is the one to compare with.
    const ruby = rubyStyleRequest(alice.privatePath, "cert=alice");
    const error = refusal(() => server.decodeRequest(edited(ruby, (e) => e.set(sym("agent"), "puppet"))));
    expect(error.message).toMatch(
      /is for agent 'puppet' but its signed body is for 'rpcutil' - possible tampering/,
    );
    const bytes = client.encodeRequest(rpcRequest());
    expect(
      refusal(() => server.decodeRequest(edited(bytes, (e) => e.set(sym("agent"), "puppet")))).message,
    ).toMatch(/ agent does not match the signed agent - possible tampering$/);
  });

  it("with plugin.ssl.enforce_ttl = 0 logs the tampering but accepts, with the signed values", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const { provider: server, log } = await sslProvider(
      "server",
      site.serverConfig({ "plugin.ssl.enforce_ttl": "0" }),
    );
    const request = server.decodeRequest(
      edited(client.encodeRequest(rpcRequest()), (e) => e.set(sym("ttl"), 86400)),
    );
    expect(request.ttl).toBe(60);
    expect(log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/TTL does not match encrypted TTL/),
    );
  });

  it("refuses a body that does not carry signed ttl and msgtime (the older protocol) unless enforce_ttl = 0", async () => {
    const key = readPrivateKey(alice.privatePath);
    const body = dump("ping");
    const envelope = new Map<RubyValue, RubyValue>([
      [sym("body"), Buffer.from(body)],
      [sym("senderid"), "client1"],
      [sym("requestid"), "0123456789abcdef0123456789abcdef"],
      [sym("filter"), new Map()],
      [sym("collective"), "mcollective"],
      [sym("agent"), "discovery"],
      [sym("callerid"), "cert=alice"],
      [sym("ttl"), 60],
      [sym("msgtime"), now()],
      [sym("hash"), encode64(key.sign(body))],
    ]);
    const server = (await sslProvider("server", site.serverConfig())).provider;
    expect(refusal(() => server.decodeRequest(dump(envelope))).message).toMatch(
      /unknown or older security protocol/,
    );
    const lax = (await sslProvider("server", site.serverConfig({ "plugin.ssl.enforce_ttl": "0" }))).provider;
    expect(lax.decodeRequest(dump(envelope)).body).toBe("ping");
  });

  it("refuses a caller whose key is not in the clients' directory, naming the file it looked for", async () => {
    const client = (await sslProvider("client", site.clientConfig("bob"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const error = refusal(() => server.decodeRequest(client.encodeRequest(rpcRequest())));
    expect(error.reason).toBe("unknown-caller");
    expect(error.message).toBe(
      `Could not find a public key for bob in ${join(site.certDir, "bob.pem")} (request 0123456789abcdef0123456789abcdef from cert=bob@client1)`,
    );
  });

  it("locks a user out as soon as their key is removed or replaced, without a restart", async () => {
    const client = (await sslProvider("client", site.clientConfig("mallory"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    expect(server.decodeRequest(client.encodeRequest(rpcRequest())).callerid).toBe("cert=mallory");
    // Replaced by another key (a revoked and re-issued identity): the old key's signatures fail.
    copyFileSync(alice.publicPath, join(site.certDir, "mallory.pem"));
    const replaced = refusal(() => server.decodeRequest(client.encodeRequest(rpcRequest())));
    expect(replaced.reason).toBe("invalid-signature");
    expect(replaced.message).toMatch(
      /^Received an invalid signature in message .* from cert=mallory@client1 \(checked with .*mallory\.pem\)$/,
    );
    rmSync(join(site.certDir, "mallory.pem"));
    expect(refusal(() => server.decodeRequest(client.encodeRequest(rpcRequest()))).reason).toBe(
      "unknown-caller",
    );
  });

  it("refuses caller ids that are not cert=<name>", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const bytes = client.encodeRequest(rpcRequest());
    for (const callerid of ["uid=0", "cert=../clients/alice", "cert=alice extra", "cert="]) {
      const error = refusal(() =>
        server.decodeRequest(edited(bytes, (e) => e.set(sym("callerid"), callerid))),
      );
      expect(error.reason).toBe("invalid-callerid");
    }
  });

  it("refuses a signature made with a key other than the caller's", async () => {
    const key = readPrivateKey(mallory.privatePath);
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const forged = edited(client.encodeRequest(rpcRequest()), (e) => {
      const body = e.get(sym("body")) as Uint8Array;
      e.set(sym("hash"), encode64(key.sign(body)));
    });
    expect(refusal(() => server.decodeRequest(forged)).reason).toBe("invalid-signature");
  });
});

describe("a client decoding replies", () => {
  it("accepts replies signed with the servers' key and nothing else", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const request = server.decodeRequest(client.encodeRequest(rpcRequest()));
    const reply = {
      senderid: "node1",
      requestid: request.requestid,
      senderagent: "rpcutil",
      msgtime: now(),
      body: "pong",
    };
    expect(client.decodeReply(server.encodeReply(reply, request)).body).toBe("pong");
    const impostor = (
      await sslProvider("server", {
        ...site.serverConfig(),
        "plugin.ssl_server_private": mallory.privatePath,
      })
    ).provider;
    expect(refusal(() => client.decodeReply(impostor.encodeReply(reply, request))).reason).toBe(
      "invalid-signature",
    );
  });
});

describe("Ed25519 keys and encryption (Phobos only)", () => {
  it("maps Ed25519 keys to the X25519 keys nacl box uses", () => {
    const key = readPrivateKey(carol.privatePath);
    expect(key.type).toBe("ed25519");
    const derived = readPublicKey(carol.publicPath).boxPublicKey as Uint8Array;
    expect(Buffer.from(nacl.scalarMult.base(key.boxSecretKey as Uint8Array))).toEqual(Buffer.from(derived));
  });

  it("signs with Ed25519: 64-byte signatures in the same :hash", async () => {
    const client = (await sslProvider("client", edSite.clientConfig("carol"))).provider;
    const bytes = client.encodeRequest(rpcRequest());
    const hash = (load(bytes) as Map<RubyValue, RubyValue>).get(sym("hash")) as string;
    expect(Buffer.from(hash, "base64")).toHaveLength(64);
    const server = (await sslProvider("server", edSite.serverConfig())).provider;
    expect(server.decodeRequest(bytes).callerid).toBe("cert=carol");
  });

  it("with plugin.ssl.encrypt = 1, puts no plain text on the wire and opens only for the right key", async () => {
    const encrypt = { "plugin.ssl.encrypt": "1" };
    const client = (await sslProvider("client", edSite.clientConfig("carol", encrypt))).provider;
    const other = (await sslProvider("client", edSite.clientConfig("dave", encrypt))).provider;
    const server = (await sslProvider("server", edSite.serverConfig(encrypt))).provider;
    const bytes = client.encodeRequest(rpcRequest());
    const body = Buffer.from(
      (load(bytes) as Map<RubyValue, RubyValue>).get(sym("body")) as Uint8Array,
    ).toString("latin1");
    expect(body.startsWith(BOX_PREFIX)).toBe(true);
    expect(Buffer.from(bytes).includes("ping")).toBe(false);
    const request = server.decodeRequest(bytes);
    expect(request.ttl).toBe(60);
    const replyBytes = server.encodeReply(
      {
        senderid: "node1",
        requestid: request.requestid,
        senderagent: "rpcutil",
        msgtime: now(),
        body: "secret pong",
      },
      request,
    );
    expect(Buffer.from(replyBytes).includes("secret pong")).toBe(false);
    expect(client.decodeReply(replyBytes).body).toBe("secret pong");
    expect(refusal(() => other.decodeReply(replyBytes)).message).toMatch(
      /encrypted for a key this client does not hold/,
    );
  });

  it("a daemon that encrypts refuses plain requests", async () => {
    const client = (await sslProvider("client", edSite.clientConfig("carol"))).provider;
    const server = (await sslProvider("server", edSite.serverConfig({ "plugin.ssl.encrypt": "1" }))).provider;
    expect(refusal(() => server.decodeRequest(client.encodeRequest(rpcRequest()))).message).toMatch(
      /is not encrypted but plugin.ssl.encrypt = 1 here/,
    );
  });

  it("mixes key types: an RSA client of an Ed25519 fleet signs and verifies as usual", async () => {
    const erin = edSite.user("erin", { type: "rsa" });
    const client = (await sslProvider("client", edSite.clientConfig("erin"))).provider;
    const server = (await sslProvider("server", edSite.serverConfig())).provider;
    const request = server.decodeRequest(client.encodeRequest(rpcRequest()));
    expect(request.callerid).toBe("cert=erin");
    expect(erin.publicPath).toMatch(/erin\.pem$/);
  });
});

describe("configuration", () => {
  const configError = async (mode: "client" | "server", config: Record<string, string>) => {
    try {
      await sslProvider(mode, config);
    } catch (error) {
      const cause = (error as Error).cause;
      if (cause instanceof ConfigError) return cause.message;
      throw error;
    }
    throw new Error("expected a ConfigError");
  };

  it("names the missing or wrong key and what to do", async () => {
    expect(await configError("server", { "plugin.ssl_server_private": site.serverPrivate })).toBe(
      "plugin.ssl_client_cert_dir: is not set: the directory of the callers' public keys",
    );
    expect(await configError("server", site.serverConfig({ "plugin.ssl_serializer": "json" }))).toBe(
      "plugin.ssl_serializer: 'json' is not a serializer: use marshal or yaml",
    );
    expect(
      await configError("client", {
        ...site.clientConfig("alice"),
        "plugin.ssl_client_private": "/nonexistent.pem",
      }),
    ).toBe(
      "plugin.ssl_client_private: /nonexistent.pem: no such private key (create keys with phobos-keygen)",
    );
    expect(await configError("client", site.clientConfig("alice", { "plugin.ssl.encrypt": "1" }))).toMatch(
      /^plugin.ssl.encrypt: needs Ed25519 keys on both ends/,
    );
    const garbage = join(site.dir, "garbage.pem");
    writeFileSync(garbage, "not a key\n");
    expect(await configError("server", site.serverConfig({ "plugin.ssl_server_private": garbage }))).toMatch(
      /^plugin.ssl_server_private: .*garbage.pem: not a PEM private key/,
    );
  });

  it("takes the client's keys from MCOLLECTIVE_SSL_PRIVATE and MCOLLECTIVE_SSL_PUBLIC first", async () => {
    process.env.MCOLLECTIVE_SSL_PRIVATE = mallory.privatePath;
    process.env.MCOLLECTIVE_SSL_PUBLIC = mallory.publicPath;
    try {
      const { provider } = await sslProvider("client", site.clientConfig("alice"));
      expect(provider.callerId()).toBe("cert=mallory");
    } finally {
      delete process.env.MCOLLECTIVE_SSL_PRIVATE;
      delete process.env.MCOLLECTIVE_SSL_PUBLIC;
    }
  });

  it("refuses an unsafe caller id made from the key file's name", async () => {
    const { provider } = await sslProvider("client", {
      ...site.clientConfig("alice"),
      "plugin.ssl_client_public": "/keys/alice smith.pem",
    });
    expect(() => provider.callerId()).toThrow(
      /'alice smith.pem' makes the caller id 'cert=alice smith', which is not valid/,
    );
  });
});

/** A request signed the way Ruby MCollective's client signs it: ttl and msgtime only. */
const rubyStyleRequest = (privatePath: string, callerid: string, overrides: Partial<RequestEnvelope> = {}) =>
  rubySignedRequest(rpcRequest(overrides), callerid, privatePath);

describe("replays: what a daemon recognises a request by", () => {
  it("keys a request on what is signed and who signed it, not on its request id", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const bytes = client.encodeRequest(rpcRequest());
    const first = server.decodeRequest(bytes);
    expect(first.replayKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A Ruby client signs no request id: a captured copy under a fresh one is the same signed request.
    const ruby = rubyStyleRequest(alice.privatePath, "cert=alice");
    const copy = edited(ruby, (e) => e.set(sym("requestid"), "ffffffffffffffffffffffffffffffff"));
    const original = server.decodeRequest(ruby);
    const resent = server.decodeRequest(copy);
    expect(resent.requestid).toBe("ffffffffffffffffffffffffffffffff");
    expect(resent.replayKey).toBe(original.replayKey);
    // The same bytes from another caller are that caller's own request.
    const frank = site.user("frank");
    const mine = server.decodeRequest(rubyStyleRequest(frank.privatePath, "cert=frank"));
    expect(mine.replayKey).not.toBe(original.replayKey);
  });

  it("tells two identical Phobos requests of the same second apart: each signs its own request id", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const msgtime = now();
    const a = server.decodeRequest(client.encodeRequest(rpcRequest({ msgtime, requestid: "a".repeat(32) })));
    const b = server.decodeRequest(client.encodeRequest(rpcRequest({ msgtime, requestid: "b".repeat(32) })));
    expect(a.replayKey).not.toBe(b.replayKey);
  });

  it("refuses a Phobos request whose request id, filter, agent or collective was changed, under RSA too", async () => {
    const client = (await sslProvider("client", site.clientConfig("alice"))).provider;
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const bytes = client.encodeRequest(rpcRequest());
    const edits: [string, (e: Map<RubyValue, RubyValue>) => void][] = [
      ["requestid", (e) => e.set(sym("requestid"), "f".repeat(32))],
      ["filter", (e) => e.set(sym("filter"), new Map<RubyValue, RubyValue>([["identity", ["web1"]]]))],
      ["collective", (e) => e.set(sym("collective"), "other")],
    ];
    for (const [field, edit] of edits) {
      const error = refusal(() => server.decodeRequest(edited(bytes, edit)));
      expect(error.reason).toBe("invalid-signature");
      expect(error.message).toMatch(
        new RegExp(
          `^Request \\w{32} from cert=alice@client1 ${field} does not match the signed ${field} - possible tampering$`,
        ),
      );
    }
  });

  it("Ed25519: refuses an altered request id, filter, agent or collective, and a request that signs none", async () => {
    const client = (await sslProvider("client", edSite.clientConfig("carol"))).provider;
    const server = (await sslProvider("server", edSite.serverConfig())).provider;
    // A discovery ping: its body names no agent, so only the signed envelope fields hold it.
    const ping = rpcRequest({ agent: "discovery", body: "ping", filter: emptyFilter() });
    const bytes = client.encodeRequest(ping);
    expect(server.decodeRequest(bytes).agent).toBe("discovery");
    const edits: [string, (e: Map<RubyValue, RubyValue>) => void][] = [
      ["requestid", (e) => e.set(sym("requestid"), "f".repeat(32))],
      ["filter", (e) => e.set(sym("filter"), new Map<RubyValue, RubyValue>([["identity", ["web1"]]]))],
      ["agent", (e) => e.set(sym("agent"), "puppet")],
      ["collective", (e) => e.set(sym("collective"), "other")],
    ];
    for (const [field, edit] of edits) {
      const error = refusal(() => server.decodeRequest(edited(bytes, edit)));
      expect(error.reason).toBe("invalid-signature");
      expect(error.message).toMatch(
        new RegExp(` ${field} does not match the signed ${field} - possible tampering$`),
      );
    }
    const unsigned = rubyStyleRequest(carol.privatePath, "cert=carol");
    expect(refusal(() => server.decodeRequest(unsigned)).message).toMatch(
      /^Request \w{32} from cert=carol@client1 is signed with an Ed25519 key but its requestid, filter, agent, collective are not signed \(a Phobos client older than this daemon\?\)$/,
    );
    const lax = await sslProvider("server", edSite.serverConfig({ "plugin.ssl.enforce_ttl": "0" }));
    expect(lax.provider.decodeRequest(unsigned).callerid).toBe("cert=carol");
    expect(lax.log.lines.map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /is signed with an Ed25519 key but its requestid, filter, agent, collective are not signed/,
      ),
    );
  });

  it("still takes a Ruby client's request, which signs none of them", async () => {
    const server = (await sslProvider("server", site.serverConfig())).provider;
    const request = server.decodeRequest(rubyStyleRequest(alice.privatePath, "cert=alice"));
    expect(request.callerid).toBe("cert=alice");
    expect(request.filter.agent).toEqual(["rpcutil"]);
  });
});
