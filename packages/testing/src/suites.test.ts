/**
 * The suites themselves under test: each passes on a small correct plugin
 * of its type and fails, with a message that says why, on a broken one.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type {
  AgentDdl,
  AuditRecord,
  DataDdl,
  DdlMetadata,
  DecodedRequest,
  ReplyEnvelope,
  RequestEnvelope,
} from "@phobos/core";
import {
  defineAgent,
  defineAggregate,
  defineAudit,
  defineAuthorization,
  defineData,
  defineDiscovery,
  defineFacts,
  defineRegistration,
  defineSecurity,
  defineValidator,
  RpcAbortedError,
  type RubyValue,
  SecurityError,
  sym,
} from "@phobos/core";
import { describe, expect, it } from "vitest";
import { agentChecks } from "./agent.js";
import { aggregateChecks } from "./aggregate.js";
import { auditChecks } from "./audit.js";
import { authorizationChecks, sampleRpcRequest } from "./authorization.js";
import type { Check } from "./check.js";
import { dataChecks } from "./data.js";
import { createFakeDiscoveryClient, discoveryChecks } from "./discovery.js";
import { factsChecks } from "./facts.js";
import { describeFactsPlugin } from "./index.js";
import { registrationChecks } from "./registration.js";
import { securityChecks } from "./security.js";
import { validatorChecks } from "./validator.js";

/** Runs checks outside vitest's registration: name → "pass", "skip: …" or the failure message. */
async function run(checks: Check[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const check of checks) {
    if (check.skip !== undefined) {
      out[check.name] = `skip: ${check.skip}`;
      continue;
    }
    try {
      await check.run();
      out[check.name] = "pass";
    } catch (err) {
      out[check.name] = err instanceof Error ? err.message : String(err);
    }
  }
  return out;
}

async function expectAllPass(checks: Check[]) {
  const results = await run(checks);
  for (const [name, result] of Object.entries(results)) {
    expect({ name, result }).toEqual({ name, result: expect.stringMatching(/^(pass|skip: .*)$/) });
  }
  return results;
}

function failure(results: Record<string, string>, name: string | RegExp): string {
  const key = Object.keys(results).find((k) => (typeof name === "string" ? k === name : name.test(k)));
  expect(key, `no check named ${name}`).toBeDefined();
  const result = results[key!]!;
  expect(result).not.toBe("pass");
  return result;
}

const metadata = (name: string): DdlMetadata => ({
  name,
  description: `${name} test plugin`,
  author: "Phobos",
  license: "Apache-2.0",
  version: "1.0.0",
  url: "https://example.com/phobos",
  timeout: 2,
});

// ------------------------------------------------------------------ security

/** Ruby values as tagged JSON: enough for a test provider (the real ones use Marshal). */
function toJson(value: unknown): unknown {
  if (typeof value === "symbol") return { $sym: value.description };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [toJson(k), toJson(v)]) };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object" && value !== null) {
    return { $obj: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)])) };
  }
  return value;
}

function fromJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === "object" && value !== null) {
    const v = value as { $sym?: string; $map?: [unknown, unknown][]; $obj?: Record<string, unknown> };
    if (v.$sym !== undefined) return sym(v.$sym);
    if (v.$map) return new Map(v.$map.map(([k, x]) => [fromJson(k), fromJson(x)]));
    if (v.$obj) return Object.fromEntries(Object.entries(v.$obj).map(([k, x]) => [k, fromJson(x)]));
    throw new TypeError("unknown tag");
  }
  return value;
}

function hmacSecurity(options: { verify: boolean; wrapErrors: boolean }) {
  return defineSecurity({
    name: "hmac",
    create(ctx) {
      const secret = ctx.settings.required("");
      const sign = (body: string) => createHmac("sha256", secret).update(body).digest("hex");
      const encode = (fields: Record<string, unknown>, body: RubyValue) => {
        const serialized = Buffer.from(JSON.stringify(toJson(body))).toString("base64");
        return new Uint8Array(
          Buffer.from(JSON.stringify({ ...fields, body: serialized, hash: sign(serialized) })),
        );
      };
      const decode = (bytes: Uint8Array): Record<string, unknown> & { body: RubyValue } => {
        const run = () => {
          const envelope = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
          if (typeof envelope.body !== "string" || typeof envelope.hash !== "string") {
            throw new SecurityError("malformed", "no body or hash");
          }
          if (options.verify) {
            const expected = Buffer.from(sign(envelope.body));
            const given = Buffer.from(envelope.hash);
            if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
              throw new SecurityError("invalid-signature", "Received an invalid signature in message");
            }
          }
          const body = fromJson(
            JSON.parse(Buffer.from(envelope.body, "base64").toString("utf8")),
          ) as RubyValue;
          for (const key of ["senderid", "requestid"]) {
            if (typeof envelope[key] !== "string") throw new TypeError(`no ${key}`);
          }
          return {
            ...envelope,
            ...(envelope.filter !== undefined ? { filter: fromJson(envelope.filter) } : {}),
            body,
          };
        };
        if (!options.wrapErrors) return run();
        try {
          return run();
        } catch (err) {
          if (err instanceof SecurityError) throw err;
          throw new SecurityError("malformed", `not a message: ${(err as Error).message}`, { cause: err });
        }
      };
      return {
        callerId: () => "uid=500",
        encodeRequest: ({ body, filter, ...rest }: RequestEnvelope) =>
          encode({ ...rest, filter: toJson(filter), callerid: "uid=500" }, body),
        decodeRequest: (bytes) => decode(bytes) as unknown as DecodedRequest,
        encodeReply: ({ body, ...rest }: ReplyEnvelope) => encode(rest, body),
        decodeReply: (bytes) => decode(bytes) as unknown as ReplyEnvelope,
      };
    },
  });
}

describe("security suite", () => {
  it("passes on a provider that signs and verifies", async () => {
    await expectAllPass(
      securityChecks({
        definition: hmacSecurity({ verify: true, wrapErrors: true }),
        settings: { "": "s3cret" },
      }),
    );
  });

  it("fails on a provider that does not verify, or crashes on garbage", async () => {
    const results = await run(
      securityChecks({
        definition: hmacSecurity({ verify: false, wrapErrors: false }),
        settings: { "": "s3cret" },
      }),
    );
    expect(failure(results, /request with a flipped byte/)).toMatch(/decodeRequest accepted/);
    expect(failure(results, /reply with a flipped byte/)).toMatch(/decodeReply accepted/);
    expect(failure(results, /garbage given to decodeRequest/)).toMatch(
      /decodeRequest threw PluginError: security plugin 'hmac' failed in decodeRequest: .* instead of a SecurityError/,
    );
    expect(results["a request survives encodeRequest then decodeRequest, carrying the caller's id"]).toBe(
      "pass",
    );
  });

  it("fails when create() cannot find its settings", async () => {
    const results = await run(
      securityChecks({ definition: hmacSecurity({ verify: true, wrapErrors: true }) }),
    );
    expect(failure(results, "create() builds an instance from its settings")).toMatch(
      /failed at create: create\(\) threw: plugin\.hmac: is required by the hmac plugin/,
    );
  });
});

// --------------------------------------------------------------------- facts

describe("facts suite", () => {
  it("passes on a plain facts source", async () => {
    await expectAllPass(
      factsChecks({
        definition: defineFacts({
          name: "static",
          create: () => ({
            load: async () => ({ os: "linux", cpus: 4, tags: ["a"], nested: { x: null } }),
            changed: () => false,
          }),
        }),
      }),
    );
  });

  it("fails on non-plain facts and a non-boolean changed()", async () => {
    const results = await run(
      factsChecks({
        definition: defineFacts({
          name: "odd",
          create: () => ({
            load: async () => ({ boot: new Date(0) }) as never,
            changed: () => "yes" as never,
          }),
        }),
      }),
    );
    expect(failure(results, "load() returns a plain object of fact values")).toMatch(
      /fact boot is 1970-01-01/,
    );
    expect(failure(results, "changed(), if present, returns a boolean")).toMatch(/returned 'yes'/);
  });
});

// ---------------------------------------------------------------------- data

const fstatDdl: DataDdl = {
  kind: "data",
  metadata: metadata("fstat"),
  dataquery: {
    description: "File information",
    input: {
      query: {
        prompt: "File",
        description: "File to stat",
        type: "string",
        optional: false,
        validation: /^\//,
        maxlength: 120,
      },
    },
    output: {
      size: { description: "Size", display_as: "Size" },
      present: { description: "Exists", display_as: "Present" },
    },
  },
};

describe("data suite", () => {
  it("passes on a data plugin returning declared scalars", async () => {
    await expectAllPass(
      dataChecks({
        definition: defineData({
          name: "fstat",
          create: () => ({ query: async () => ({ size: 158, present: true }) }),
        }),
        ddl: fstatDdl,
        query: "/etc/hosts",
      }),
    );
  });

  it("fails on undeclared or non-scalar outputs, and says what to pass", async () => {
    const definition = defineData({
      name: "fstat",
      create: () => ({ query: async () => ({ size: 158, mode: { octal: "644" } }) as never }),
    });
    const results = await run(dataChecks({ definition, ddl: fstatDdl, query: "/etc/hosts" }));
    expect(failure(results, /declared outputs/)).toMatch(/returned 'mode', which the DDL does not declare/);
    const skipped = await run(dataChecks({ definition, ddl: fstatDdl }));
    expect(failure(skipped, /declared outputs/)).toMatch(/skip: .*pass `query`/);
    const invalid = await run(dataChecks({ definition, ddl: fstatDdl, query: "relative" }));
    expect(failure(invalid, /declared outputs/)).toMatch(/"relative"|'relative'.*not valid for the DDL/);
  });

  it("fails on a DDL that is not a data DDL", async () => {
    const results = await run(
      dataChecks({
        definition: defineData({ name: "fstat", create: () => ({ query: async () => ({}) }) }),
        ddl: { ...fstatDdl, dataquery: { ...fstatDdl.dataquery, output: {} } },
        query: "/etc/hosts",
      }),
    );
    expect(failure(results, "its DDL is a valid data DDL")).toMatch(/declares no outputs/);
  });
});

// --------------------------------------------------------------------- agent

const echoDdl: AgentDdl = {
  kind: "agent",
  metadata: metadata("echo"),
  actions: {
    echo: {
      action: "echo",
      description: "Echo",
      display: "always",
      input: {
        message: {
          prompt: "Message",
          description: "Text",
          type: "string",
          optional: false,
          validation: /./,
          maxlength: 50,
        },
        times: { prompt: "Times", description: "Repeat", type: "integer", optional: true, default: 1 },
      },
      output: { message: { description: "Text", display_as: "Message" } },
    },
    refuse: { action: "refuse", description: "Always refuses", display: "failed", input: {}, output: {} },
  },
};

describe("agent suite", () => {
  const goodAgent = defineAgent({
    name: "echo",
    create: () => ({
      actions: {
        echo(request, reply) {
          reply.data.message = String(request.data.message).repeat(Number(request.data.times));
        },
        refuse() {
          throw new RpcAbortedError("refused on purpose");
        },
      },
    }),
  });

  it("passes on an agent whose handlers match its DDL, running samples", async () => {
    const results = await expectAllPass(
      agentChecks({
        definition: goodAgent,
        ddl: echoDdl,
        samples: {
          echo: [{ data: { message: "hi" }, statuscode: 0 }, { data: { message: "x", times: 2 } }],
          refuse: { data: {}, statuscode: 1 },
        },
      }),
    );
    expect(Object.keys(results)).toContain(
      "action 'echo' #2 replies with a status code and its declared outputs",
    );
  });

  it("skips the sample runs when there are no samples", async () => {
    const results = await run(agentChecks({ definition: goodAgent, ddl: echoDdl }));
    expect(results["actions run on sample inputs"]).toMatch(/^skip: pass `samples`/);
  });

  it("fails on missing and extra handlers, undeclared outputs and stray exceptions", async () => {
    const definition = defineAgent({
      name: "echo",
      create: () => ({
        actions: {
          echo(_request, reply) {
            reply.data.echoed = true;
          },
          secret() {},
        },
      }),
    });
    const results = await run(
      agentChecks({ definition, ddl: echoDdl, samples: { echo: { data: { message: "hi" } } } }),
    );
    expect(failure(results, "every DDL action has a handler")).toMatch(
      /no handler for DDL action\(s\) refuse/,
    );
    expect(failure(results, "every handler has a DDL action")).toMatch(
      /handler\(s\) secret have no DDL action/,
    );
    expect(failure(results, /action 'echo'/)).toMatch(/undeclared output\(s\) echoed/);

    const crashing = defineAgent({
      name: "echo",
      create: () => ({
        actions: {
          echo() {
            throw new TypeError("undefined is not a function");
          },
          refuse() {},
        },
      }),
    });
    const crashed = await run(
      agentChecks({ definition: crashing, ddl: echoDdl, samples: { echo: { data: { message: "hi" } } } }),
    );
    expect(failure(crashed, /action 'echo'/)).toMatch(/threw PluginError: .*reply\.fail\(\) or an RpcError/);
  });

  it("tells the author when a sample is not valid for the DDL", async () => {
    const results = await run(
      agentChecks({ definition: goodAgent, ddl: echoDdl, samples: { echo: { data: { times: "2" } } } }),
    );
    expect(failure(results, /action 'echo'/)).toMatch(
      /the sample inputs are not valid for the DDL: DdlValidationError: Action echo needs a message argument/,
    );
  });
});

// ----------------------------------------------------------------- validator

describe("validator suite", () => {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
  it("passes on a validator that accepts and refuses", async () => {
    await expectAllPass(
      validatorChecks({
        definition: defineValidator({
          name: "ipv4address",
          create: () => ({
            validate(value) {
              const m = typeof value === "string" ? ipv4.exec(value) : null;
              if (!m || m.slice(1).some((part) => Number(part) > 255))
                throw new Error(`${String(value)} is not an IPv4 address`);
            },
          }),
        }),
        valid: ["10.0.0.1", "255.255.255.255"],
        invalid: ["256.1.1.1", "x", 3],
      }),
    );
  });

  it("fails on a validator that accepts everything", async () => {
    const results = await run(
      validatorChecks({
        definition: defineValidator({ name: "lax", create: () => ({ validate() {} }) }),
        valid: ["a"],
        invalid: ["256.1.1.1"],
      }),
    );
    expect(failure(results, /refuses every invalid value/)).toMatch(
      /accepted the invalid value '256\.1\.1\.1'/,
    );
  });
});

// ----------------------------------------------------------------- aggregate

describe("aggregate suite", () => {
  it("passes on sum and summary aggregates", async () => {
    await expectAllPass(
      aggregateChecks({
        definition: defineAggregate({
          name: "sum",
          create: () => ({
            start: ({ output, format }) => {
              let total = 0;
              return {
                process: (value) => {
                  total += Number(value);
                },
                result: () => ({ type: "numeric", value: total, output, ...(format ? { format } : {}) }),
              };
            },
          }),
        }),
        values: [1, 2, 3],
        output: "size",
        format: "%d",
        expected: { type: "numeric", value: 6 },
      }),
    );
    await expectAllPass(
      aggregateChecks({
        definition: defineAggregate({
          name: "summary",
          create: () => ({
            start: ({ output }) => {
              const counts = new Map<unknown, number>();
              return {
                process: (value) => counts.set(value, (counts.get(value) ?? 0) + 1),
                result: () => ({ type: "collection", value: new Map(counts), output }),
              };
            },
          }),
        }),
        values: ["running", "stopped", "running"],
        output: "status",
        expected: {
          type: "collection",
          value: new Map([
            ["running", 2],
            ["stopped", 1],
          ]),
        },
      }),
    );
  });

  it("fails on an aggregate whose runs share state", async () => {
    const results = await run(
      aggregateChecks({
        definition: defineAggregate({
          name: "leaky",
          create: () => {
            let total = 0;
            return {
              start: ({ output }) => ({
                process: (value) => {
                  total += Number(value);
                },
                result: () => ({ type: "numeric", value: total, output }),
              }),
            };
          },
        }),
        values: [1, 2],
      }),
    );
    expect(failure(results, "runs are independent of each other")).toMatch(
      /a second run fed the same values says 6, the first said 3/,
    );
  });
});

// ------------------------------------------------------ audit, authorization

describe("audit suite", () => {
  it("passes on an audit log", async () => {
    const lines: string[] = [];
    await expectAllPass(
      auditChecks({
        definition: defineAudit({
          name: "memory",
          create: () => ({
            audit: (r: AuditRecord) => void lines.push(`${r.caller} ${r.agent}#${r.action}`),
          }),
        }),
      }),
    );
    expect(lines).toContain("uid=500 package#install");
  });

  it("fails on an audit plugin that changes the record", async () => {
    const results = await run(
      auditChecks({
        definition: defineAudit({
          name: "scrubber",
          create: () => ({
            audit: (r: AuditRecord) => {
              r.data.package = "[redacted]";
            },
          }),
        }),
      }),
    );
    expect(failure(results, /audit\(\) completes/)).toMatch(/the audited record differs/);
  });
});

describe("authorization suite", () => {
  const policy = defineAuthorization({
    name: "policy",
    create: () => ({
      authorize: (request) =>
        request.action === "uninstall"
          ? { allowed: false, reason: "uninstall is not allowed" }
          : { allowed: true },
    }),
  });

  it("passes on well-formed answers that match expectations", async () => {
    await expectAllPass(
      authorizationChecks({
        definition: policy,
        requests: [
          { request: sampleRpcRequest(), allowed: true },
          { request: sampleRpcRequest({ action: "uninstall" }), allowed: false },
        ],
      }),
    );
  });

  it("fails on a refusal without a reason, and on a wrong answer", async () => {
    const terse = defineAuthorization({
      name: "terse",
      create: () => ({ authorize: () => ({ allowed: false }) as never }),
    });
    expect(failure(await run(authorizationChecks({ definition: terse })), /authorize\(\) answers/)).toMatch(
      /refused uid=500 calling package#install without a reason/,
    );
    const results = await run(
      authorizationChecks({
        definition: policy,
        requests: [{ request: sampleRpcRequest({ action: "uninstall" }), allowed: true }],
      }),
    );
    expect(failure(results, /authorize\(\) answers/)).toMatch(/refused .*expected the opposite/);
  });
});

// -------------------------------------------------------------- registration

describe("registration suite", () => {
  it("passes on a body made of Ruby values", async () => {
    await expectAllPass(
      registrationChecks({
        definition: defineRegistration({
          name: "meta",
          create: (ctx) => ({
            body: async () =>
              new Map<RubyValue, RubyValue>([
                [sym("identity"), ctx.services.identity],
                [sym("facts"), new Map<RubyValue, RubyValue>([["os", "linux"]])],
                [sym("agents"), ["rpcutil"]],
              ]),
          }),
        }),
        services: { identity: "node1.example.com" },
      }),
    );
  });

  it("fails on a plain object (a Ruby Hash is a Map)", async () => {
    const results = await run(
      registrationChecks({
        definition: defineRegistration({
          name: "plain",
          create: () => ({ body: () => new Map([[sym("facts"), { os: "linux" }]]) as never }),
        }),
      }),
    );
    expect(failure(results, "body() is Marshal-encodable")).toMatch(/body\(\)\[:facts\] is a plain object/);
  });
});

// ----------------------------------------------------------------- discovery

describe("discovery suite", () => {
  it("passes on a broadcast discovery that honours limit", async () => {
    const client = createFakeDiscoveryClient(["node1", "node2", "node3"]);
    await expectAllPass(
      discoveryChecks({
        definition: defineDiscovery({
          name: "mc",
          create: () => ({
            async discover({ filter, timeout, limit, client: c }) {
              const found = new Set<string>();
              await c.broadcast("discovery", "ping", filter, {
                timeout,
                limit,
                onReply: (s) => found.add(s),
              });
              return [...found];
            },
          }),
        }),
        client,
        ddl: {
          kind: "discovery",
          metadata: metadata("mc"),
          discovery: { capabilities: ["identity", "facts"] },
        },
      }),
    );
    expect(client.calls.map((c) => c.limit)).toContain(2);
  });

  it("fails on duplicates and an ignored limit", async () => {
    const results = await run(
      discoveryChecks({
        definition: defineDiscovery({
          name: "sloppy",
          create: () => ({ discover: async () => ["node1", "node2", "node1"] }),
        }),
        client: createFakeDiscoveryClient([]),
      }),
    );
    expect(failure(results, "discover() returns distinct identities")).toMatch(
      /returned \[ 'node1' \] more than once/,
    );
    expect(failure(results, "discover() honours limit")).toMatch(
      /with limit 2, discover\(\) returned 3 identities/,
    );
  });
});

// Registering through the vitest wrapper: these run as ordinary tests here.
describeFactsPlugin({
  definition: defineFacts({ name: "registered", create: () => ({ load: async () => ({ os: "linux" }) }) }),
});
