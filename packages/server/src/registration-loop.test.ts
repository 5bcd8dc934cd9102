/**
 * The registration sender (Ruby's Registration::Base#run): first message at
 * start or after the splay, one per interval after that, nil bodies skipped,
 * failures logged once per cause and retried, nothing left behind by stop.
 * Time is fake: the tests count messages, they never time them.
 */
import {
  type Connector,
  configFromText,
  createLogger,
  createPlugin,
  memorySink,
  type OutboundRequest,
  type Registration,
  type RubyValue,
  type SecurityProvider,
} from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bus } from "./__fixtures__/loopback-bus.js";
import loopback from "./__fixtures__/loopback-connector.js";
import md5Security from "./__fixtures__/md5-security.js";
import {
  loadRegistration,
  RegistrationLoop,
  type RegistrationLoopOptions,
  registrationTarget,
} from "./registration-loop.js";

let security: SecurityProvider;
let connector: Connector;
let sink: ReturnType<typeof memorySink>;

beforeEach(async () => {
  vi.useFakeTimers();
  bus.reset();
  sink = memorySink("debug");
  security = await createPlugin(md5Security, {} as never);
  connector = await createPlugin(loopback, {} as never);
});

afterEach(() => {
  vi.useRealTimers();
});

const sent = () => bus.published.filter((m): m is OutboundRequest => m.kind === "request");
const decoded = () => sent().map((m) => security.decodeRequest(m.body));
const logged = (level: string) => sink.lines.filter((l) => l.level === level).map((l) => l.message);

function loop(body: () => RubyValue | Promise<RubyValue>, options: Partial<RegistrationLoopOptions> = {}) {
  const plugin: Registration = { body };
  return new RegistrationLoop({
    plugin,
    name: "test",
    interval: 300,
    splay: false,
    collective: "mcollective",
    identity: "node1.example.com",
    ttl: 60,
    security,
    connector,
    log: createLogger(sink),
    ...options,
  });
}

describe("RegistrationLoop", () => {
  it("sends at start and then once per interval, as a request to the registration agent", async () => {
    const r = loop(() => ["discovery", "rpcutil"]);
    r.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(299_999);
    expect(sent()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(sent()).toHaveLength(4);
    await r.stop();

    const [first] = sent();
    // requestSeq 0: a Ruby daemon never counts requests (ActiveMQ names reply queues with it).
    expect(first).toMatchObject({
      kind: "request",
      agent: "registration",
      collective: "mcollective",
      ttl: 60,
      requestSeq: 0,
    });
    const requests = decoded();
    expect(requests[0]).toMatchObject({
      senderid: "node1.example.com",
      agent: "registration",
      collective: "mcollective",
      callerid: "uid=500",
      ttl: 60,
      body: ["discovery", "rpcutil"],
      filter: {
        fact: [],
        cf_class: [],
        agent: ["registration"],
        identity: [],
        compound: [],
      },
    });
    expect(requests[0]?.requestid).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(requests.map((q) => q.requestid)).size).toBe(4);
  });

  it("with registration_splay, waits a whole number of seconds below the interval first", async () => {
    const late = loop(() => "late", {
      splay: true,
      interval: 10,
      random: () => 0.999,
    });
    late.start();
    await vi.advanceTimersByTimeAsync(8_999);
    expect(sent()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent()).toHaveLength(2);
    await late.stop();
    expect(logged("debug")).toContain("registration_splay enabled. Registration will start in 9 seconds");

    bus.reset();
    const early = loop(() => "early", {
      splay: true,
      interval: 10,
      random: () => 0,
    });
    early.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent()).toHaveLength(1);
    await early.stop();
  });

  it("with Math.random, the first registration always comes within the first interval", async () => {
    for (let i = 0; i < 20; i++) {
      bus.reset();
      const r = loop(() => i, { splay: true, interval: 7 });
      r.start();
      await vi.advanceTimersByTimeAsync(6_000);
      expect(sent()).toHaveLength(1);
      await r.stop();
    }
  });

  it("skips a round whose body is nil, and sends the next one", async () => {
    let body: RubyValue | undefined;
    const r = loop(() => body as RubyValue);
    r.start();
    await vi.advanceTimersByTimeAsync(0);
    body = null;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(sent()).toHaveLength(0);
    expect(logged("debug").filter((m) => m === "Skipping registration due to nil body")).toHaveLength(2);
    body = ["rpcutil"];
    await vi.advanceTimersByTimeAsync(300_000);
    expect(decoded().map((q) => q.body)).toEqual([["rpcutil"]]);
    expect(r.sent).toBe(1);
    await r.stop();
  });

  it("logs a failing body once per cause, keeps trying, and says when it works again", async () => {
    let failure: string | undefined = "facts are unreadable";
    const r = loop(() => {
      if (failure) throw new Error(failure);
      return ["rpcutil"];
    });
    r.start();
    await vi.advanceTimersByTimeAsync(3 * 300_000);
    const errors = () => logged("error");
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatch(/registration plugin 'test', body\(\): facts are unreadable/);
    expect(errors()[0]).toMatch(/trying again in 300 seconds/);
    failure = "the classes file vanished";
    await vi.advanceTimersByTimeAsync(300_000);
    expect(errors()).toHaveLength(2);
    failure = undefined;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(sent()).toHaveLength(1);
    expect(logged("info")).toContain(
      "Sending registration messages works again (registration plugin 'test')",
    );
    await r.stop();
  });

  it("logs a failing publish, then sends again once the broker takes messages", async () => {
    let down = true;
    const flaky: Connector = {
      ...connector,
      publish: async (message) => {
        if (down) throw new Error("not connected to the middleware");
        await connector.publish(message);
      },
    };
    const r = loop(() => ["rpcutil"], { connector: flaky });
    r.start();
    await vi.advanceTimersByTimeAsync(2 * 300_000);
    expect(logged("error")).toEqual([expect.stringMatching(/publish: not connected to the middleware/)]);
    down = false;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(sent()).toHaveLength(1);
    await r.stop();
  });

  it("stop leaves no timer behind and waits for a registration being built", async () => {
    let release: (value: RubyValue) => void = () => {};
    const r = loop(() => new Promise<RubyValue>((resolve) => (release = resolve)));
    r.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release(["rpcutil"]);
    await stopping;
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_000_000);
    expect(sent()).toHaveLength(0);
  });

  it("stop before the splay delay ends means nothing is ever sent", async () => {
    const r = loop(() => "x", { splay: true, random: () => 0.5 });
    r.start();
    expect(vi.getTimerCount()).toBe(1);
    await r.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(sent()).toHaveLength(0);
  });
});

describe("registration settings", () => {
  const log = () => createLogger(sink);

  it("registration_collective must be one of the node's collectives, else the main collective is used", () => {
    const ok = configFromText(
      "collectives = mcollective,infra\nmain_collective = mcollective\nregistration_collective = infra\n",
    );
    expect(registrationTarget(ok, log())).toBe("infra");
    const unset = configFromText("collectives = mcollective,infra\nmain_collective = mcollective\n");
    expect(registrationTarget(unset, log())).toBe("mcollective");
    const bad = configFromText("collectives = mcollective\nregistration_collective = nope\n");
    expect(registrationTarget(bad, log())).toBe("mcollective");
    expect(logged("warn")).toContainEqual(
      expect.stringMatching(/^Sending registration to mcollective: nope is not a valid collective/),
    );
  });

  const deps = (create: (name: string) => Promise<Registration>) => ({
    create,
    security,
    connector,
    log: log(),
  });

  it("registerinterval = 0 loads no plugin at all", async () => {
    const config = configFromText("registration = nosuchplugin\n");
    const loaded = await loadRegistration(
      config,
      deps(() => Promise.reject(new Error("must not be called"))),
    );
    expect(loaded).toBeUndefined();
  });

  it("a negative registerinterval is refused, naming the key and the line", async () => {
    const config = configFromText("identity = n1\nregisterinterval = -5\n", "/etc/server.cfg");
    await expect(
      loadRegistration(
        config,
        deps(() => Promise.resolve({ body: () => null })),
      ),
    ).rejects.toThrow(/server\.cfg:2.*registerinterval.*'-5' is not an interval/);
  });
});
