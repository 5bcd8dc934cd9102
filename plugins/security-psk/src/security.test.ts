/**
 * The psk plugin: core's security conformance suite, the bodies Ruby
 * MCollective 2.12.5 put on the wire (wire/vectors, psk `refbench-psk`),
 * and the other direction: what Phobos signs, Ruby's own Psk plugin
 * verifies and decodes, in one Ruby process.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  emptyFilter,
  inspect,
  type RequestEnvelope,
  rpcReplyToRuby,
  rpcRequestToRuby,
  SecurityError,
  sym,
} from "@phobos/core";
import { describeSecurityPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import psk from "./security.js";

const PSK = "refbench-psk";
const PROVISION = "run `sh tooling/scripts/provision.sh`";
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

interface Vector {
  name: string;
  kind: "request" | "reply";
  psk: string;
  body_base64: string;
  hash: string;
  envelope_inspect: string;
  inner_inspect: string;
}
const vectors = JSON.parse(readFileSync(fixture("psk-vectors.json"), "utf8")) as Vector[];

describeSecurityPlugin({ definition: psk, settings: { "": PSK } });

/** Answers from Ruby's Psk plugin: every command of a test goes to one `ruby` process. */
function askRuby(commands: object[]): { ok: boolean; error?: string; [key: string]: unknown }[] {
  const run = spawnSync("ruby", [fixture("ruby-psk.rb")], {
    input: commands.map((c) => JSON.stringify(c)).join("\n"),
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8" },
  });
  if (run.error || run.status !== 0) {
    throw new Error(
      `Ruby MCollective could not be asked (${run.error?.message ?? run.stderr}): ${PROVISION}`,
    );
  }
  return run.stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}

let client: Awaited<ReturnType<typeof openPlugin<"security">>>;
let server: Awaited<ReturnType<typeof openPlugin<"security">>>;

beforeAll(async () => {
  client = await openPlugin({ definition: psk, settings: { "": PSK } }, "client", "phobos-client");
  server = await openPlugin({ definition: psk, settings: { "": PSK } }, "server", "phobos-node");
});

afterAll(() => {
  client?.close();
  server?.close();
});

/** `{:senderid=>…, …}` without `:body`, as Ruby's inspect of the envelope prints it. */
function envelopeWithoutBody(inspected: string): string {
  return inspected.replace(/^\{:body=>"(?:[^"\\]|\\.)*", /, "{").replace(/, :body=>"(?:[^"\\]|\\.)*"/, "");
}

describe("the Ruby vectors (psk refbench-psk)", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("%s decodes to what Ruby saw", (_name, vector) => {
    const bytes = Buffer.from(vector.body_base64, "base64");
    const decoded =
      vector.kind === "request" ? server.instance.decodeRequest(bytes) : client.instance.decodeReply(bytes);
    expect(inspect(decoded.body)).toBe(vector.inner_inspect);
    const envelope = envelopeWithoutBody(vector.envelope_inspect);
    expect(envelope).toContain(`:senderid=>${JSON.stringify(decoded.senderid)}`);
    expect(envelope).toContain(`:requestid=>${JSON.stringify(decoded.requestid)}`);
    expect(envelope).toContain(`:msgtime=>${decoded.msgtime}`);
    if (vector.kind === "request" && "callerid" in decoded) {
      expect(envelope).toContain(`:callerid=>${JSON.stringify(decoded.callerid)}`);
      expect(envelope).toContain(`:agent=>${JSON.stringify(decoded.agent)}`);
    }
  });

  it.each(vectors.map((v) => [v.name, v] as const))(
    "%s is refused with another psk",
    async (_name, vector) => {
      const other = await openPlugin({ definition: psk, settings: { "": "not-refbench" } }, "server", "x");
      try {
        const bytes = Buffer.from(vector.body_base64, "base64");
        const decode = () =>
          vector.kind === "request" ? other.instance.decodeRequest(bytes) : other.instance.decodeReply(bytes);
        expect(decode).toThrow(SecurityError);
        expect(decode).toThrow("Received an invalid signature in message");
      } finally {
        other.close();
      }
    },
  );
});

describe("Ruby's own Psk plugin and Phobos's", () => {
  const now = Math.floor(Date.now() / 1000);
  const requests: [string, RequestEnvelope][] = [
    [
      "discovery ping",
      {
        senderid: "phobos-client",
        requestid: "0123456789abcdef0123456789abcdef",
        filter: { ...emptyFilter(), fact: [{ fact: "role", value: "/w.b/", operator: "=~" }] },
        collective: "mcollective",
        agent: "discovery",
        ttl: 60,
        msgtime: now,
        body: "ping",
      },
    ],
    [
      "a SimpleRPC request with UTF-8, binary and nested data and a compound filter",
      {
        senderid: "phobos-client",
        requestid: "fedcba9876543210fedcba9876543210",
        filter: {
          ...emptyFilter(),
          cf_class: ["base"],
          agent: ["rpcutil"],
          identity: ["/node\\d/"],
          compound: [[{ statement: "role=web" }, { and: "and" }, { not: "not" }, { statement: "dc=1" }]],
        },
        collective: "mcollective",
        agent: "rpcutil",
        ttl: 30,
        msgtime: now,
        body: rpcRequestToRuby({
          agent: "rpcutil",
          action: "get_fact",
          caller: "uid=0",
          data: {
            fact: "größe €",
            nested: { list: [1, 2.5, null, true], big: 2n ** 70n },
            process_results: true,
          },
        }),
      },
    ],
  ];

  it("Ruby verifies and decodes what Phobos signs, requests and replies, and refuses a wrong psk", () => {
    const signed = requests.map(([, r]) => client.instance.encodeRequest(r));
    const decodedByPhobos = server.instance.decodeRequest(signed[0] as Uint8Array);
    const reply = server.instance.encodeReply(
      {
        senderid: "phobos-node",
        requestid: decodedByPhobos.requestid,
        senderagent: "discovery",
        msgtime: now,
        body: rpcReplyToRuby({
          statuscode: 0,
          statusmsg: "OK",
          data: { pong: now, "string key": [sym("a"), "b"] },
        }),
      },
      decodedByPhobos,
    );
    const answers = askRuby([
      ...signed.map((bytes) => ({
        op: "decode",
        kind: "request",
        psk: PSK,
        base64: Buffer.from(bytes).toString("base64"),
      })),
      { op: "decode", kind: "reply", psk: PSK, base64: Buffer.from(reply).toString("base64") },
      {
        op: "decode",
        kind: "request",
        psk: "wrong",
        base64: Buffer.from(signed[0] as Uint8Array).toString("base64"),
      },
    ]);
    expect(answers.map((a) => a.error ?? "ok")).toEqual([
      "ok",
      "ok",
      "ok",
      "MCollective::SecurityValidationFailed: Received an invalid signature in message",
    ]);
    for (const [i, [, request]] of requests.entries()) {
      expect(answers[i]?.body).toBe(inspect(request.body));
      const envelope = String(answers[i]?.envelope);
      expect(envelope).toContain(`:requestid=>"${request.requestid}"`);
      expect(envelope).toContain(`:callerid=>"${client.instance.callerId()}"`);
      expect(envelope).toContain(`:ttl=>${request.ttl}, :msgtime=>${now}`);
      expect(envelope).toContain(`:agent=>"${request.agent}"`);
    }
    expect(answers[0]?.envelope).toContain(
      `:filter=>{"fact"=>[{:fact=>"role", :value=>"/w.b/", :operator=>"=~"}]`,
    );
    expect(answers[1]?.envelope).toContain(
      `"compound"=>[[{"statement"=>"role=web"}, {"and"=>"and"}, {"not"=>"not"}, {"statement"=>"dc=1"}]]`,
    );
    expect(answers[2]?.body).toBe(
      `{:statuscode=>0, :statusmsg=>"OK", :data=>{:pong=>${now}, :"string key"=>[:a, "b"]}}`,
    );
  });

  it("Phobos verifies and decodes what Ruby signs", () => {
    const [answer] = askRuby([{ op: "encode_request", psk: PSK }]);
    expect(answer?.ok, answer?.error).toBe(true);
    const decoded = server.instance.decodeRequest(Buffer.from(String(answer?.base64), "base64"));
    expect(decoded).toMatchObject({
      senderid: "ruby-client",
      requestid: "0123456789abcdef0123456789abcdef",
      agent: "rpcutil",
      collective: "mcollective",
      ttl: 60,
    });
    expect(inspect(decoded.body)).toMatch(
      /^\{:agent=>"rpcutil", :action=>"get_fact", :caller=>"uid=\d+", :data=>\{:fact=>"operatingsystem", :process_results=>true\}\}$/,
    );
  });

  it("callertype uid, gid, group and identity give the callerid Ruby gives", async () => {
    const types = ["uid", "gid", "group", "identity"];
    const ruby = askRuby(types.map((callertype) => ({ op: "callerid", callertype, identity: "node7" })));
    const phobos: string[] = [];
    for (const callertype of types) {
      const p = await openPlugin({ definition: psk, settings: { "": PSK, callertype } }, "client", "node7");
      phobos.push(p.instance.callerId());
      p.close();
    }
    expect(phobos).toEqual(ruby.map((r) => r.callerid));
  });

  it("a callertype it does not know is a config error naming the key and the choices", async () => {
    await expect(
      openPlugin({ definition: psk, settings: { "": PSK, callertype: "cert" } }, "client", "n"),
    ).rejects.toThrow(
      /plugin\.psk\.callertype: 'cert' is not a caller type: use uid, gid, group, user or identity/,
    );
  });

  it("no psk at all is a config error naming plugin.psk and MCOLLECTIVE_PSK", async () => {
    const saved = process.env.MCOLLECTIVE_PSK;
    delete process.env.MCOLLECTIVE_PSK;
    try {
      await expect(openPlugin({ definition: psk, settings: {} }, "client", "n")).rejects.toThrow(
        /plugin\.psk: is not set: give the pre-shared key \(or set MCOLLECTIVE_PSK\)/,
      );
    } finally {
      if (saved !== undefined) process.env.MCOLLECTIVE_PSK = saved;
    }
  });
});

describe("a client acting for someone else (PluginContext.user)", () => {
  it("callertype user names that person, not the OS user; other caller types ignore it", async () => {
    const { pskCallerId } = await import("./caller-id.js");
    expect(pskCallerId("user", "console", "alice")).toBe("user=alice");
    expect(pskCallerId("identity", "console", "alice")).toBe("identity=console");
    expect(pskCallerId("user", "console")).toMatch(/^user=[\w.-]+$/);
  });
});
