/**
 * The console against a real site: three mcollectived daemons on the
 * embedded broker with registration into the registry, an action policy
 * that denies bob `rpcutil ping`, audit logs, and a real phobos-console
 * process on the same client.cfg as mco. Nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrowserLike } from "./__fixtures__/browser-like.js";
import { runBin, startTestSite, type TestSite } from "./__fixtures__/test-site.js";
import { type ApiDeps, apiRoutes } from "./api-routes.js";
import { createApp } from "./app.js";
import { FailureLimiter } from "./rate-limit.js";
import { Sessions } from "./sessions.js";
import { UsersStore } from "./users-store.js";

// This package's ports are 44100-44199; this suite takes 44110-44111.
const BROKER_PORT = 44110;
const CONSOLE_PORT = 44111;

let site: TestSite;

beforeAll(async () => {
  site = await startTestSite(BROKER_PORT, CONSOLE_PORT);
  // Registration is asynchronous: wait until the registry holds all three nodes.
  const probe = new BrowserLike(site.consoleUrl);
  await probe.signIn("alice", "alice-password");
  for (let i = 0; ; i++) {
    const answer = await probe.send("GET", "/api/nodes");
    if (answer.status === 200 && answer.body.count === 3) break;
    if (i > 600) throw new Error(`the registry never held three nodes: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  await site?.stop();
});

/** The API's routes as the app registers them (its handlers are never called here). */
function routeTable(): { method: string; path: string }[] {
  const app = createApp({
    users: new UsersStore("/nonexistent/users.json"),
    sessions: new Sessions(60),
    limiter: new FailureLimiter(1, 1),
    secret: "route-table-listing-only",
    secure: false,
    uiDir: undefined,
    api: (api) => apiRoutes(api, {} as ApiDeps),
  });
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of app.routes) {
    if (r.method !== "ALL" && r.path.startsWith("/api/")) seen.set(`${r.method} ${r.path}`, r);
  }
  return [...seen.values()];
}

const concrete = (path: string) => path.replace(/:\w+/g, "x");

async function signedIn(login: "alice" | "bob"): Promise<BrowserLike> {
  const browser = new BrowserLike(site.consoleUrl);
  const answer = await browser.signIn(login, `${login}-password`);
  expect(answer.status).toBe(200);
  return browser;
}

const mco = (args: string[]) => runBin("mco", [...args, "-c", site.clientConfig]);

describe("security", () => {
  const routes = routeTable();

  it("lists the API the contract names", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const route of [
      "POST /api/session",
      "GET /api/session",
      "DELETE /api/session",
      "GET /api/nodes",
      "GET /api/nodes/count",
      "GET /api/nodes/:identity",
      "POST /api/discover",
      "GET /api/agents",
      "GET /api/agents/:agent",
      "POST /api/validate",
      "POST /api/requests",
      "GET /api/requests/:id/events",
      "DELETE /api/requests/:id",
      "GET /api/history",
      "GET /api/history/:id",
    ]) {
      expect(names).toContain(route);
    }
  });

  it("every API route but sign-in answers 401 JSON without a session", async () => {
    const anonymous = new BrowserLike(site.consoleUrl);
    const checked: string[] = [];
    for (const route of routes) {
      if (route.method === "POST" && route.path === "/api/session") continue;
      const answer = await anonymous.send(
        route.method,
        concrete(route.path),
        route.method === "GET" ? undefined : {},
      );
      expect(answer.status, `${route.method} ${route.path}`).toBe(401);
      expect(answer.type).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ error: "sign in first" });
      checked.push(route.path);
    }
    expect(checked.length).toBe(routes.length - 1);
  });

  it("every state-changing route refuses a request without the CSRF token", async () => {
    const alice = await signedIn("alice");
    const changing = routes.filter(
      (r) => r.method !== "GET" && !(r.method === "POST" && r.path === "/api/session"),
    );
    expect(changing.length).toBeGreaterThan(3);
    for (const route of changing) {
      const answer = await alice.send(route.method, concrete(route.path), {}, { csrf: false });
      expect(answer.status, `${route.method} ${route.path}`).toBe(403);
      expect(answer.body.error).toBe("missing or wrong x-csrf-token header");
    }
    alice.csrf = "not-the-token";
    const wrong = await alice.send("POST", "/api/validate", { agent: "rpcutil", action: "ping", inputs: {} });
    expect(wrong.status).toBe(403);
  });

  it("sets the session cookie httpOnly and SameSite=Strict, not Secure over plain HTTP; sign-out ends the session", async () => {
    const browser = new BrowserLike(site.consoleUrl);
    const res = await fetch(new URL("/api/session", site.consoleUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "alice", password: "alice-password" }),
    });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    browser.cookie = cookie.split(";")[0];
    browser.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    expect((await browser.send("GET", "/api/session")).body.user).toBe("alice");
    const kept = browser.cookie;
    expect((await browser.send("DELETE", "/api/session")).status).toBe(200);
    browser.cookie = kept;
    expect((await browser.send("GET", "/api/session")).status).toBe(401);
  });

  it("answers JSON with nosniff and a strict CSP, so a fact holding <script> is data, never HTML", async () => {
    const alice = await signedIn("alice");
    const node = await alice.send<{ node: { facts: Record<string, string> } }>("GET", "/api/nodes/node1");
    expect(node.type).toMatch(/^application\/json/);
    expect(node.body.node.facts.motd).toBe('<script>alert(1)</script><img src=x onerror="alert(2)">');
    expect(node.headers.get("x-content-type-options")).toBe("nosniff");
    expect(node.headers.get("content-security-policy")).toContain("script-src 'self'");
    const missing = await alice.send("GET", "/api/<img src=x onerror=alert(1)>");
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/json/);
  });
});

describe("the fleet", () => {
  it("lists the registry's nodes with facts, classes, agents and last seen", async () => {
    const alice = await signedIn("alice");
    const answer = await alice.send<{
      nodes: { identity: string; classes: string[]; agents: string[]; lastSeen: string; stale: boolean }[];
    }>("GET", "/api/nodes");
    expect(answer.body.nodes.map((n) => n.identity)).toEqual(["node1", "node2", "node3"]);
    const node2 = answer.body.nodes[1];
    expect(node2?.classes).toEqual(["base", "role::db"]);
    expect(node2?.agents).toContain("rpcutil");
    expect(node2?.stale).toBe(false);
    expect(Number.isNaN(Date.parse(node2?.lastSeen ?? ""))).toBe(false);
  });

  it.each([
    ["fact=role=web", ["-F", "role=web"]],
    ["class=role::db", ["-C", "role::db"]],
    ["identity=/node[12]/", ["-I", "/node[12]/"]],
    ["agent=rpcutil&fact=datacenter=dc2", ["-A", "rpcutil", "-F", "datacenter=dc2"]],
    ["compound=role=web and datacenter=dc2", ["-S", "role=web and datacenter=dc2"]],
    ["compound=not role=web", ["-S", "not role=web"]],
  ])("?%s selects what mco find --dm registry selects", async (query, words) => {
    const alice = await signedIn("alice");
    const params = new URLSearchParams(
      query
        .split("&")
        .map((p): [string, string] => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
    );
    const answer = await alice.send<{ nodes: { identity: string }[]; count: number }>(
      "GET",
      `/api/nodes?${params}`,
    );
    const found = await mco(["find", "--dm", "registry", ...words]);
    expect(found.stderr).toBe("");
    const expected = found.stdout
      .split("\n")
      .filter((l) => l !== "")
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(answer.body.nodes.map((n) => n.identity)).toEqual(expected);
    const count = await alice.send("GET", `/api/nodes/count?${params}`);
    expect(count.body).toEqual({ count: expected.length });
  });

  it("refuses a filter mco refuses, in its words", async () => {
    const alice = await signedIn("alice");
    const answer = await alice.send("GET", `/api/nodes?compound=${encodeURIComponent("role=web and (")}`);
    expect(answer.status).toBe(400);
    expect(String(answer.body.error).length).toBeGreaterThan(0);
  });

  it("shows a node's inventory (rpcutil inventory, as mco inventory)", async () => {
    const alice = await signedIn("alice");
    const answer = await alice.send<{
      inventory: {
        inventory: { agents: string[]; facts: Record<string, string>; classes: string[] };
        statuscode: number;
      };
    }>("GET", "/api/nodes/node2?inventory=1");
    expect(answer.status).toBe(200);
    expect(answer.body.inventory.statuscode).toBe(0);
    expect(answer.body.inventory.inventory.agents).toContain("rpcutil");
    expect(answer.body.inventory.inventory.facts.role).toBe("db");
    expect(answer.body.inventory.inventory.classes).toEqual(["base", "role::db"]);
  });

  it("runs broadcast discovery on demand", async () => {
    const alice = await signedIn("alice");
    const answer = await alice.send("POST", "/api/discover", { filter: { fact: ["role=web"] } });
    expect(answer.status).toBe(200);
    expect(answer.body.nodes).toEqual(["node1", "node3"]);
  });
});

describe("agents and validation", () => {
  it("lists the agents with DDLs and serves one DDL", async () => {
    const alice = await signedIn("alice");
    const agents = await alice.send<{ agents: { name: string }[] }>("GET", "/api/agents");
    const names = agents.body.agents.map((a) => a.name);
    expect(names).toContain("rpcutil");
    expect(names).toContain("package");
    expect(names).not.toContain("discovery");
    const ddl = await alice.send<{
      actions: Record<string, { input: Record<string, { type: string; optional: boolean }> }>;
    }>("GET", "/api/agents/rpcutil");
    expect(ddl.body.actions.get_fact?.input.fact?.type).toBe("string");
    expect((await alice.send("GET", "/api/agents/nosuch")).status).toBe(404);
  });

  it("validates as mco does, naming each input", async () => {
    const alice = await signedIn("alice");
    const missing = await alice.send("POST", "/api/validate", {
      agent: "rpcutil",
      action: "get_fact",
      inputs: {},
    });
    expect(missing.body).toEqual({
      ok: false,
      errors: { fact: "Action get_fact needs a fact argument" },
      inputs: {},
    });
    const fine = await alice.send("POST", "/api/validate", {
      agent: "rpcutil",
      action: "get_fact",
      inputs: { fact: "role" },
    });
    expect(fine.body.ok).toBe(true);
    const refused = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "get_fact",
      inputs: { fact: "" },
      filter: { fact: ["role=web"] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.inputs).toEqual({ fact: "Action get_fact needs a fact argument" });
  });

  it("asks for confirmation before an unfiltered request", async () => {
    const alice = await signedIn("alice");
    const unconfirmed = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
    });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.needsConfirmation).toBe(true);
    const confirmed = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      confirm: true,
    });
    expect(confirmed.status).toBe(201);
    const events = await alice.events(String(confirmed.body.id));
    expect(
      events
        .filter((e) => e.event === "reply")
        .map((e) => e.data.sender)
        .sort(),
    ).toEqual(["node1", "node2", "node3"]);
  });
});

describe("requests", () => {
  it("streams each reply, the summary and the stats, with alice as the callerid the daemons audit", async () => {
    const alice = await signedIn("alice");
    const started = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "get_fact",
      inputs: { fact: "datacenter" },
      filter: { class: ["base"] },
    });
    expect(started.status).toBe(201);
    const events = await alice.events(String(started.body.id));
    expect(events[0]?.event).toBe("discovered");
    expect([...((events[0]?.data.nodes as string[] | undefined) ?? [])].sort()).toEqual([
      "node1",
      "node2",
      "node3",
    ]);
    const replies = events.filter((e) => e.event === "reply").map((e) => e.data);
    expect(replies.map((r) => r.sender).sort()).toEqual(["node1", "node2", "node3"]);
    for (const r of replies) {
      expect(r.statuscode).toBe(0);
      expect((r.data as { fact: string }).fact).toBe("datacenter");
      expect(r.displayed).toBe(true);
    }
    const summary = events.find((e) => e.event === "summary")?.data as {
      summaries: { lines: string[] }[];
      text: string;
    };
    expect(summary.text).toContain("Summary of Value:");
    expect(summary.summaries[0]?.lines.join("\n")).toMatch(/dc2 = 2\n\s*dc1 = 1/);
    const stats = events.find((e) => e.event === "stats")?.data;
    expect(stats).toMatchObject({
      discovered: 3,
      responses: 3,
      okcount: 3,
      failcount: 0,
      noresponsefrom: [],
    });
    expect(events.at(-1)).toEqual({ event: "end", data: { status: "done" } });
    expect(site.auditLog("node2")).toMatch(
      /reqid=\w+: reqtime=\d+ caller=user=alice@console agent=rpcutil action=get_fact/,
    );
  });

  it("shows the daemons' denial per node for bob, whom the action policy refuses ping", async () => {
    const bob = await signedIn("bob");
    const started = await bob.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      filter: { fact: ["role=web"] },
    });
    const events = await bob.events(String(started.body.id));
    const replies = events.filter((e) => e.event === "reply").map((e) => e.data);
    expect(replies.map((r) => r.sender).sort()).toEqual(["node1", "node3"]);
    for (const r of replies) {
      expect(r.statuscode).toBe(1);
      expect(r.statusmsg).toBe("You are not authorized to call this agent or action.");
    }
    expect(events.find((e) => e.event === "stats")?.data).toMatchObject({ okcount: 0, failcount: 2 });
    expect(site.auditLog("node1")).toMatch(/caller=user=bob@console agent=rpcutil action=ping/);
  });

  it("refuses another user's stream, and lets the owner cancel", async () => {
    const alice = await signedIn("alice");
    const bob = await signedIn("bob");
    const started = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      // No such node: only the timeout or a cancel can end this request.
      filter: { identity: ["ghost"] },
      timeout: 600,
    });
    const id = String(started.body.id);
    const stolen = await fetch(new URL(`/api/requests/${id}/events`, site.consoleUrl), {
      headers: { cookie: bob.cookie ?? "" },
    });
    expect(stolen.status).toBe(403);
    expect((await bob.send("DELETE", `/api/requests/${id}`)).status).toBe(403);
    expect((await alice.send("DELETE", `/api/requests/${id}`)).status).toBe(200);
    const events = await alice.events(id);
    expect(events.at(-1)).toEqual({ event: "end", data: { status: "cancelled" } });
  });

  it("refuses a bad limit or batch with the option's name", async () => {
    const alice = await signedIn("alice");
    const answer = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      filter: { fact: ["role=web"] },
      limit: "lots",
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("limit");
  });

  it("honours --limit: one node of the two", async () => {
    const alice = await signedIn("alice");
    const started = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      filter: { fact: ["role=web"] },
      limit: 1,
    });
    const events = await alice.events(String(started.body.id));
    expect(events.filter((e) => e.event === "reply")).toHaveLength(1);
  });
});

describe("history", () => {
  it("keeps who ran what, with which filter, when, and the results", async () => {
    const alice = await signedIn("alice");
    const started = await alice.send("POST", "/api/requests", {
      agent: "rpcutil",
      action: "get_fact",
      inputs: { fact: "role" },
      filter: { identity: ["node2"] },
    });
    const id = String(started.body.id);
    await alice.events(id);
    // The end is recorded right after the stream's last event: read until it is there.
    let entry: Record<string, unknown> | undefined;
    for (let i = 0; i < 600; i++) {
      const list = await alice.send<{ entries: Record<string, unknown>[] }>("GET", "/api/history");
      entry = list.body.entries.find((e) => e.id === id);
      if (entry?.status === "done") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(entry).toMatchObject({
      user: "alice",
      agent: "rpcutil",
      action: "get_fact",
      inputs: { fact: "role" },
      filter: { identity: ["node2"] },
      status: "done",
      discovered: 1,
      responses: 1,
      okcount: 1,
    });
    const detail = await alice.send<{ replies: { sender: string; data: { value: string } }[] }>(
      "GET",
      `/api/history/${id}`,
    );
    expect(detail.body.replies.map((r) => [r.sender, r.data.value])).toEqual([["node2", "db"]]);
    const bob = await signedIn("bob");
    const all = await bob.send<{ entries: { user: string }[] }>("GET", "/api/history");
    expect(new Set(all.body.entries.map((e) => e.user))).toEqual(new Set(["alice", "bob"]));
  });
});

// Last: the address stays limited for the window, and every test signs in from 127.0.0.1.
describe("sign-in limits", () => {
  it("refuses a wrong password, then rate-limits the login and the address", async () => {
    const browser = new BrowserLike(site.consoleUrl);
    const form = await browser.send("POST", "/api/session", "login=bob&password=x", {
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(415);
    for (let i = 0; i < 3; i++) {
      const answer = await browser.signIn("nobody", "wrong-password");
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe("wrong login or password");
    }
    const limited = await browser.signIn("nobody", "wrong-password");
    expect(limited.status).toBe(429);
    expect(limited.body.retryAfter).toBeGreaterThan(0);
    expect(limited.headers.get("retry-after")).toBe(String(limited.body.retryAfter));
  });
});
