/**
 * The console's HTTP side: Hono routes under /api (JSON in, JSON or
 * Server-Sent Events out) and the UI's static files. Every /api route but
 * sign-in needs a session; every state-changing one needs the session's
 * CSRF token in `x-csrf-token`. Both checks are middleware in front of the
 * route table, so a route added later cannot forget them.
 */
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { PhobosError, UsageError } from "@phobos/core";
import { type Context, Hono, type Next } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { HttpError } from "./http-error.js";
import type { FailureLimiter } from "./rate-limit.js";
import { csrfMatches, type Session, type Sessions } from "./sessions.js";
import type { UsersStore } from "./users-store.js";

export const SESSION_COOKIE = "phobos_console";

export interface AppDeps {
  users: UsersStore;
  sessions: Sessions;
  limiter: FailureLimiter;
  /** Keys the session cookie's HMAC. */
  secret: string;
  /** Cookies get `Secure` when the console serves TLS. */
  secure: boolean;
  /** The built UI (dist/ui), served at /; absent in a server-only build. */
  uiDir: string | undefined;
  /** The rest of the API, mounted behind the session and CSRF checks. */
  api?: (api: Hono<ConsoleEnv>) => void;
  /** After a sign-out: the user's connection may close when no session of theirs is left. */
  onSignOut?: (login: string) => void;
}

export interface ConsoleEnv {
  Variables: { session: Session };
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Reads a JSON object body; anything else is a 400/415 naming the problem. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, "send the body as application/json");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    throw new HttpError(400, `the body is not JSON: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function createApp(deps: AppDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: err.message, ...err.body }, err.status);
    // What mco would refuse (a bad option, a filter it cannot parse): the caller's mistake, in mco's words.
    if (err instanceof UsageError) return c.json({ error: err.message }, 400);
    // A connection, config or registry failure: the console is fine, the fleet is not reachable.
    if (err instanceof PhobosError) return c.json({ error: err.message }, 503);
    console.error(`phobos-console: ${c.req.method} ${c.req.path} failed: ${err.stack ?? err.message}`);
    return c.json({ error: "internal error: see the console's log" }, 500);
  });
  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: `no such API route: ${c.req.method} ${c.req.path}` }, 404)
      : c.text("Not found", 404),
  );

  app.use("*", async (c, next) => {
    await next();
    // The API answers JSON or event streams only: nothing a browser would sniff into HTML.
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
    c.header(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (c.req.path.startsWith("/api/")) c.header("Cache-Control", "no-store");
  });

  const cookieOptions = {
    httpOnly: true,
    sameSite: "Strict",
    secure: deps.secure,
    path: "/",
  } as const;

  app.post("/api/session", async (c) => {
    const body = await jsonBody(c);
    const { login, password } = body;
    if (typeof login !== "string" || typeof password !== "string") {
      throw new HttpError(400, "give login and password as text");
    }
    const keys = [`addr:${clientAddress(c)}`, `login:${login}`];
    const wait = Math.max(...keys.map((k) => deps.limiter.blockedFor(k)));
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      throw new HttpError(429, `too many failed sign-ins: try again in ${wait} s`, { retryAfter: wait });
    }
    const user = await deps.users.authenticate(login, password);
    if (!user) {
      for (const key of keys) deps.limiter.fail(key);
      throw new HttpError(401, "wrong login or password");
    }
    deps.limiter.clear(`login:${login}`);
    const session = deps.sessions.create(user.login);
    await setSignedCookie(c, SESSION_COOKIE, session.id, deps.secret, cookieOptions);
    return c.json({ user: session.login, csrfToken: session.csrfToken });
  });

  const api = new Hono<ConsoleEnv>();
  api.use("*", async (c, next) => {
    const id = await getSignedCookie(c, deps.secret, SESSION_COOKIE);
    const session = deps.sessions.get(id || undefined);
    if (!session) throw new HttpError(401, "sign in first");
    if (STATE_CHANGING.has(c.req.method) && !csrfMatches(session, c.req.header("x-csrf-token"))) {
      throw new HttpError(403, "missing or wrong x-csrf-token header");
    }
    c.set("session", session);
    await next();
  });
  api.get("/session", (c) => {
    const session = c.get("session");
    return c.json({ user: session.login, csrfToken: session.csrfToken });
  });
  api.delete("/session", (c) => {
    const session = c.get("session");
    deps.sessions.delete(session.id);
    deps.onSignOut?.(session.login);
    deleteCookie(c, SESSION_COOKIE, cookieOptions);
    return c.json({ signedOut: true });
  });
  deps.api?.(api);
  app.route("/api", api);

  const uiDir = deps.uiDir;
  if (uiDir !== undefined && existsSync(uiDir)) {
    const root = relative(process.cwd(), uiDir) || ".";
    // Never for /api: an unknown API path is a JSON 404, not the page.
    const page = (handler: ReturnType<typeof serveStatic>) => (c: Context, next: Next) =>
      c.req.path.startsWith("/api/") ? next() : handler(c, next);
    app.use("/*", page(serveStatic({ root })));
    // A path the UI routes itself (/nodes/web1) gets the page; it loads its route.
    app.get("/*", page(serveStatic({ root, path: "index.html" })));
  }
  return app;
}
