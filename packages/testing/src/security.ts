import { isDeepStrictEqual } from "node:util";
import type {
  DecodedRequest,
  ReplyEnvelope,
  RequestEnvelope,
  RubyValue,
  SecurityProvider,
} from "@phobos/core";
import { SecurityError, sym } from "@phobos/core";
import { type Check, ensure, ensureEqual, errorText, fail, show } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { plain } from "./values.js";

export interface SecuritySuiteOptions extends SuiteOptions<"security"> {
  /** Settings of the daemon side, when they differ from the client's (ssl: its own key). */
  serverSettings?: Record<string, string>;
  serverIdentity?: string;
}

/** MCollective's `valid_callerid?`. */
export const CALLER_ID_PATTERN = /^[\w]+=[\w.-]+$/;

/**
 * The security provider contract, on a client and a daemon instance:
 * requests and replies round-trip, a changed body or signature is refused
 * with SecurityError, and bytes that are not a message at all are refused
 * with SecurityError too (never a crash that takes a daemon down).
 */
export function securityChecks(options: SecuritySuiteOptions): Check[] {
  const clientIdentity = options.identity ?? "client.example.com";
  const serverIdentity = options.serverIdentity ?? "server.example.com";
  const serverOptions = { ...options, settings: options.serverSettings ?? options.settings ?? {} };
  const pair = (body: (client: SecurityProvider, server: SecurityProvider) => Promise<void>) =>
    withPlugin(
      options,
      "client",
      ({ instance: client }) =>
        withPlugin(serverOptions, "server", ({ instance: server }) => body(client, server), serverIdentity),
      clientIdentity,
    );
  const msgtime = Math.floor(Date.now() / 1000);

  return [
    ...definitionChecks("security", options, "client"),
    {
      name: "callerId() looks like MCollective's (uid=500, cert=alice)",
      run: () =>
        pair(async (client) => {
          const id = client.callerId();
          ensure(
            typeof id === "string" && CALLER_ID_PATTERN.test(id),
            `callerId() returned ${show(id)}, which does not match ${CALLER_ID_PATTERN}`,
          );
        }),
    },
    {
      name: "a request survives encodeRequest then decodeRequest, carrying the caller's id",
      run: () =>
        pair(async (client, server) => {
          const request = sampleRequest(clientIdentity, msgtime);
          const bytes = client.encodeRequest(request);
          ensure(bytes instanceof Uint8Array, `encodeRequest returned ${show(bytes)}, not bytes`);
          const decoded = server.decodeRequest(bytes);
          ensureEqual(plain(pick(decoded, request)), plain(request), "the decoded request");
          ensureEqual(decoded.callerid, client.callerId(), "the decoded callerid");
        }),
    },
    {
      name: "a reply survives encodeReply then decodeReply",
      run: () =>
        pair(async (client, server) => {
          const request = server.decodeRequest(client.encodeRequest(sampleRequest(clientIdentity, msgtime)));
          const reply = sampleReply(serverIdentity, request, msgtime);
          const bytes = server.encodeReply(reply, request);
          ensure(bytes instanceof Uint8Array, `encodeReply returned ${show(bytes)}, not bytes`);
          ensureEqual(plain(pick(client.decodeReply(bytes), reply)), plain(reply), "the decoded reply");
        }),
    },
    {
      name: "a request with a flipped byte in its body or hash is refused with SecurityError",
      run: () =>
        pair(async (client, server) => {
          const encode = (action: string) =>
            client.encodeRequest(sampleRequest(clientIdentity, msgtime, action));
          checkTampering(encode, (bytes) => server.decodeRequest(bytes).body, "decodeRequest");
        }),
    },
    {
      name: "a reply with a flipped byte in its body or hash is refused with SecurityError",
      run: () =>
        pair(async (client, server) => {
          const request = server.decodeRequest(client.encodeRequest(sampleRequest(clientIdentity, msgtime)));
          const encode = (status: string) =>
            server.encodeReply(sampleReply(serverIdentity, request, msgtime, status), request);
          checkTampering(encode, (bytes) => client.decodeReply(bytes).body, "decodeReply");
        }),
    },
    {
      name: "garbage given to decodeRequest throws SecurityError and nothing else",
      run: () =>
        pair(async (client, server) => {
          checkGarbage(
            client.encodeRequest(sampleRequest(clientIdentity, msgtime)),
            (b) => server.decodeRequest(b),
            "decodeRequest",
          );
        }),
    },
    {
      name: "garbage given to decodeReply throws SecurityError and nothing else",
      run: () =>
        pair(async (client, server) => {
          const request = server.decodeRequest(client.encodeRequest(sampleRequest(clientIdentity, msgtime)));
          const valid = server.encodeReply(sampleReply(serverIdentity, request, msgtime), request);
          checkGarbage(valid, (b) => client.decodeReply(b), "decodeReply");
        }),
    },
  ];
}

/** Registers the security checks with vitest. */
export function describeSecurityPlugin(options: SecuritySuiteOptions): void {
  describeChecks(`security plugin '${options.definition.name}' conformance`, securityChecks(options));
}

/** What `mco rpc rpcutil ping -F osfamily=Debian -C base` sends. */
export function sampleRequest(senderid: string, msgtime: number, action = "ping"): RequestEnvelope {
  return {
    senderid,
    requestid: "5f0e7c1b9a3d4e2f8a6b1c0d9e8f7a6b",
    filter: {
      fact: [{ fact: "osfamily", value: "Debian", operator: "==" }],
      cf_class: ["base"],
      agent: ["rpcutil"],
      identity: [],
      compound: [],
    },
    collective: "mcollective",
    agent: "rpcutil",
    ttl: 60,
    msgtime,
    body: new Map<RubyValue, RubyValue>([
      [sym("agent"), "rpcutil"],
      [sym("action"), action],
      [sym("caller"), "uid=500"],
      [sym("data"), new Map<RubyValue, RubyValue>([[sym("process_results"), true]])],
    ]),
  };
}

/** rpcutil's answer to it. */
export function sampleReply(
  senderid: string,
  request: DecodedRequest,
  msgtime: number,
  statusmsg = "OK",
): ReplyEnvelope {
  return {
    senderid,
    requestid: request.requestid,
    senderagent: request.agent,
    msgtime,
    body: new Map<RubyValue, RubyValue>([
      [sym("statuscode"), 0],
      [sym("statusmsg"), statusmsg],
      [sym("data"), new Map<RubyValue, RubyValue>([[sym("pong"), msgtime]])],
    ]),
  };
}

/** The fields of `decoded` that `original` has: a decoder may add some (callerid). */
function pick(decoded: object, original: object): Record<string, unknown> {
  const all = decoded as Record<string, unknown>;
  return Object.fromEntries(Object.keys(original).map((key) => [key, all[key]]));
}

/**
 * Without knowing a provider's layout, find the bytes that carry the body
 * and its signature: encode two messages that differ in one body character
 * and see which bytes change (minus any that change between two encodings
 * of the same message). Each of those, flipped, must be refused. A
 * provider whose encoding is not repeatable (a random IV) skips that part.
 * Then flip every byte: whatever a provider accepts must still carry the
 * original body.
 */
function checkTampering(
  encode: (variant: string) => Uint8Array,
  decodeBody: (bytes: Uint8Array) => unknown,
  hook: string,
) {
  // "ping"/"pong" and "OK"/"NO": same length, so offsets line up.
  const [first, second] = hook === "decodeRequest" ? ["ping", "pong"] : ["OK", "NO"];
  const original = encode(first!);
  const again = encode(first!);
  const changed = encode(second!);
  const body = plain(decodeBody(original));
  const problems: string[] = [];

  const repeatable = original.length === again.length && differences(original, again).length === 0;
  if (repeatable && original.length === changed.length) {
    const signed = differences(original, changed);
    ensure(signed.length > 0, "changing the body changed no byte of the message");
    for (const i of signed) {
      const outcome = attempt(() => decodeBody(flip(original, i)));
      if (outcome.ok) problems.push(`byte ${i} (body or signature) flipped: ${hook} accepted it`);
      else if (!(outcome.error instanceof SecurityError))
        problems.push(`byte ${i} flipped: ${hook} threw ${errorText(outcome.error)}`);
    }
  }
  for (let i = 0; i < original.length; i++) {
    const outcome = attempt(() => decodeBody(flip(original, i)));
    if (outcome.ok) {
      const now = plain(outcome.value);
      if (!isDeepStrictEqual(now, body))
        problems.push(`byte ${i} flipped: ${hook} accepted a changed body ${show(now)}`);
    } else if (!(outcome.error instanceof SecurityError)) {
      problems.push(
        `byte ${i} flipped: ${hook} threw ${errorText(outcome.error)} instead of a SecurityError`,
      );
    }
  }
  if (problems.length > 0) fail(report(problems, original.length));
}

function checkGarbage(valid: Uint8Array, decode: (bytes: Uint8Array) => unknown, hook: string) {
  const problems: string[] = [];
  for (const [label, bytes] of garbage(valid)) {
    const outcome = attempt(() => decode(bytes));
    if (outcome.ok) problems.push(`${label}: ${hook} returned ${show(outcome.value)}`);
    else if (!(outcome.error instanceof SecurityError)) {
      problems.push(`${label}: ${hook} threw ${errorText(outcome.error)} instead of a SecurityError`);
    }
  }
  if (problems.length > 0) fail(report(problems));
}

function* garbage(valid: Uint8Array): Generator<[string, Uint8Array]> {
  const random = xorshift(0x5eed);
  yield ["no bytes", new Uint8Array(0)];
  for (const length of [1, 7, 64, 512]) yield [`${length} random bytes`, Uint8Array.from({ length }, random)];
  yield ["a Marshal header and junk", Uint8Array.from([4, 8, ...Array.from({ length: 32 }, random)])];
  yield ["Marshal nil", Uint8Array.from([4, 8, 0x30])];
  yield ["Marshal 1", Uint8Array.from([4, 8, 0x69, 6])];
  yield ["Marshal []", Uint8Array.from([4, 8, 0x5b, 0])];
  yield ["Marshal {}", Uint8Array.from([4, 8, 0x7b, 0])];
  yield [
    'Marshal "hello"',
    Uint8Array.from([4, 8, 0x49, 0x22, 0x0a, ...Buffer.from("hello"), 6, 0x3a, 6, 0x45, 0x54]),
  ];
  yield ["JSON", Buffer.from('{"body":"x","hash":"y"}')];
  const step = Math.max(1, Math.ceil(valid.length / 1024));
  for (let length = 0; length < valid.length; length += step) {
    yield [`the first ${length} of ${valid.length} bytes of a valid message`, valid.subarray(0, length)];
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function differences(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}

function report(problems: string[], length?: number): string {
  const shown = problems.slice(0, 10).map((p) => `  - ${p}`);
  const more = problems.length > 10 ? [`  … and ${problems.length - 10} more`] : [];
  return [
    `${problems.length} problem(s)${length ? ` in a ${length}-byte message` : ""}:`,
    ...shown,
    ...more,
  ].join("\n");
}
