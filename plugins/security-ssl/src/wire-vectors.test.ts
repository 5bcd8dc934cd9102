/**
 * The ssl captures from Debian's MCollective 2.12.5 (Marshal and YAML):
 * Phobos verifies and decodes what Ruby signed, reproduces each signature
 * exactly with the same throw-away keys, and for YAML writes the very same
 * bytes as Ruby did, envelope and all (a request's body with the fields
 * Phobos signs beyond Ruby's).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dump, emptyFilter, load, type RubyValue, SecurityError, sym } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { sslProvider } from "./__fixtures__/provider.js";
import { encode64 } from "./base64.js";
import { readPrivateKey } from "./keys/key-files.js";
import { dumpYaml, loadYaml } from "./yaml/index.js";

interface Vector {
  name: string;
  serializer: "marshal" | "yaml";
  kind: "request" | "reply";
  keys_dir: string;
  body_base64: string;
  inner_base64: string;
  hash: string;
  inner_inspect: string;
}

const here = (path: string) => fileURLToPath(new URL(`./__fixtures__/wire/${path}`, import.meta.url));
const vectors = JSON.parse(readFileSync(here("vectors.json"), "utf8")) as Vector[];

const serverConfig = (v: Vector) => ({
  "plugin.ssl_serializer": v.serializer,
  "plugin.ssl_server_private": here(`${v.keys_dir}/server-private.pem`),
  "plugin.ssl_server_public": here(`${v.keys_dir}/server-public.pem`),
  "plugin.ssl_client_cert_dir": here(`${v.keys_dir}/clients`),
});
const clientConfig = (v: Vector) => ({
  "plugin.ssl_serializer": v.serializer,
  "plugin.ssl_server_public": here(`${v.keys_dir}/server-public.pem`),
  "plugin.ssl_client_private": here(`${v.keys_dir}/refclient-private.pem`),
  "plugin.ssl_client_public": here(`${v.keys_dir}/refclient.pem`),
});

describe.each(vectors)("$name", (v) => {
  const bytes = Buffer.from(v.body_base64, "base64");
  const inner = Buffer.from(v.inner_base64, "base64");
  const innerValue = (): RubyValue =>
    v.serializer === "yaml" ? loadYaml(inner.toString("utf8")) : load(inner);

  it("has a signature Phobos reproduces exactly with the same key", () => {
    const key = readPrivateKey(
      here(`${v.keys_dir}/${v.kind === "request" ? "refclient-private.pem" : "server-private.pem"}`),
    );
    expect(encode64(key.sign(inner))).toBe(v.hash);
  });

  if (v.kind === "request") {
    it("verifies and decodes on a Phobos daemon, ttl and msgtime from the signed body", async () => {
      const { provider } = await sslProvider("server", serverConfig(v));
      const request = provider.decodeRequest(bytes);
      expect(request.callerid).toBe("cert=refclient");
      expect(request.ttl).toBe(60);
      const signed = innerValue() as Map<RubyValue, RubyValue>;
      expect(request.msgtime).toBe(signed.get(sym("ssl_msgtime")));
      expect(Buffer.from(dump(request.body))).toEqual(Buffer.from(dump(signed.get(sym("ssl_msg")) ?? null)));
    });

    it("is refused once a byte of its body changes", async () => {
      const { provider } = await sslProvider("server", serverConfig(v));
      const tampered = Buffer.from(bytes);
      // A byte of the signed body (for YAML the envelope holds it indented).
      const at =
        v.serializer === "yaml"
          ? tampered.indexOf(":ssl_ttl:") + 3
          : tampered.indexOf(inner) + inner.length - 3;
      tampered[at] = (tampered[at] as number) ^ 0x01;
      expect(() => provider.decodeRequest(tampered)).toThrow(SecurityError);
      expect(() => provider.decodeRequest(tampered)).toThrow(
        /Received an invalid signature in message [0-9a-f]{32} from cert=refclient@refclient/,
      );
    });
  } else {
    it("verifies and decodes on a Phobos client", async () => {
      const { provider } = await sslProvider("client", clientConfig(v));
      const reply = provider.decodeReply(bytes);
      expect(Buffer.from(dump(reply.body))).toEqual(Buffer.from(dump(innerValue())));
    });
  }

  if (v.serializer === "yaml") {
    it("is written byte for byte by Phobos from the same message", async () => {
      const envelope = loadYaml(bytes.toString("utf8")) as Map<RubyValue, RubyValue>;
      const field = (k: string) => envelope.get(sym(k)) as string & number;
      if (v.kind === "request") {
        const { provider } = await sslProvider("client", clientConfig(v));
        const payload = (innerValue() as Map<RubyValue, RubyValue>).get(sym("ssl_msg")) ?? null;
        const out = provider.encodeRequest({
          senderid: field("senderid"),
          requestid: field("requestid"),
          filter: { ...emptyFilter(), agent: ["rpcutil"] },
          collective: field("collective"),
          agent: field("agent"),
          ttl: field("ttl"),
          msgtime: field("msgtime"),
          body: payload,
        });
        // Phobos signs more than Ruby (the request id, filter, agent and
        // collective, after Ruby's three keys, which Ruby daemons ignore):
        // its body is Ruby's plus those, written the same way.
        const phobos = loadYaml(Buffer.from(out).toString("utf8")) as Map<RubyValue, RubyValue>;
        const wrapper = new Map<RubyValue, RubyValue>([
          ...(innerValue() as Map<RubyValue, RubyValue>),
          [sym("ssl_requestid"), field("requestid")],
          [sym("ssl_filter"), envelope.get(sym("filter")) ?? null],
          [sym("ssl_agent"), field("agent")],
          [sym("ssl_collective"), field("collective")],
        ]);
        expect(phobos.get(sym("body"))).toBe(dumpYaml(wrapper));
        // With Ruby's body and signature in their place, the envelope is Ruby's, byte for byte.
        phobos.set(sym("body"), envelope.get(sym("body")) ?? null);
        phobos.set(sym("hash"), envelope.get(sym("hash")) ?? null);
        expect(dumpYaml(phobos)).toBe(bytes.toString("utf8"));
      } else {
        const { provider } = await sslProvider("server", serverConfig(v), field("senderid"));
        const out = provider.encodeReply(
          {
            senderid: field("senderid"),
            requestid: field("requestid"),
            senderagent: field("senderagent"),
            msgtime: field("msgtime"),
            body: innerValue(),
          },
          {} as never,
        );
        expect(Buffer.from(out).toString("utf8")).toBe(bytes.toString("utf8"));
      }
    });
  } else if (v.kind === "request") {
    it("signs what Ruby signed when given Ruby's own payload bytes", async () => {
      // Marshal keeps each String's encoding (Ruby's "ping" from the command
      // line is US-ASCII): with the payload exactly as Ruby had it, the
      // wrapped body and so the signature are Ruby's.
      const wrapped = load(inner, { strings: "ruby" });
      expect(Buffer.from(dump(wrapped))).toEqual(inner);
    });
  }
});
