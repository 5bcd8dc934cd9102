/**
 * The console in a real browser (Debian's Chromium, headless) against a
 * real phobos-console, the embedded broker and three real mcollectived
 * daemons registering into the registry (the site of
 * src/server/__fixtures__/test-site.ts): sign in, watch the live count follow
 * the filter, see a fact holding <script> rendered as text, run `rpcutil
 * ping` and `package status` on three nodes and watch their rows arrive, see
 * every node's denial when the action policy refuses bob `rpcutil ping`, and
 * sign out. Each step leaves a screenshot in apps/console/e2e-artifacts/.
 *
 * Nothing here bounds time: every wait is for something to show, with a
 * generous limit, because CI runs many suites at once on two cores.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type HeadlessChromium, launchChromium } from "@phobos/interop/chromium";
import { eventually } from "@phobos/testing";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NODES, startTestSite, type TestSite } from "../src/server/__fixtures__/test-site.js";

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "e2e-artifacts");
/** This helper's ports: 44220 the broker, 44221 the console. */
const PORTS = { broker: 44220, console: 44221 };
const WAIT = 90_000;

let site: TestSite;
let browser: HeadlessChromium;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The fixture's users: alice may do everything, every node's policy denies bob `rpcutil ping`. */
type Login = "alice" | "bob";
const password = (login: Login) => `${login}-password`;

/** Polls `check` until it returns a value; generous, for a loaded CI machine. */
const until = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT) =>
  eventually(check, what, timeoutMs);

async function signIn(login: Login): Promise<void> {
  await page.goto(site.consoleUrl);
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(password(login));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("user").filter({ hasText: login }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
}

/** The live count once it has settled on `expected` (it follows typing a quarter-second late). */
async function countSettlesAt(expected: number): Promise<void> {
  await until(
    `live count ${expected}`,
    async () => {
      const count = page.getByTestId("live-count");
      if ((await count.getAttribute("data-state")) !== "counted") return undefined;
      return (await page.getByTestId("live-count-value").textContent()) === String(expected)
        ? true
        : undefined;
    },
    WAIT,
  );
}

async function setFilter(
  fields: Partial<Record<"identity" | "fact" | "class" | "agent" | "compound", string>>,
) {
  for (const key of ["identity", "fact", "class", "agent", "compound"] as const) {
    await page.locator(`input[name="filter-${key}"]`).fill(fields[key] ?? "");
  }
}

/** The reply rows once every node in `senders` has one: status text per node. */
async function rowsFrom(senders: readonly string[]): Promise<Map<string, { status: string; data: string }>> {
  const rows = new Map<string, { status: string; data: string }>();
  await until(
    `replies from ${senders.join(", ")}`,
    async () => {
      for (const sender of senders) {
        const row = page.locator(`[data-testid="replies"] tr[data-sender="${sender}"]`);
        if ((await row.count()) === 0) return undefined;
        const cells = row.locator("td");
        rows.set(sender, {
          status: (await cells.nth(1).textContent()) ?? "",
          data: (await cells.nth(2).textContent()) ?? "",
        });
      }
      return true;
    },
    WAIT,
  );
  return rows;
}

/** The request whose results the run page shows, if any. */
async function shownRequest(): Promise<string | null> {
  const shown = page.getByTestId("running-request");
  return (await shown.count()) > 0 ? shown.getAttribute("data-request") : null;
}

/**
 * Waits until the run page follows a request other than `previous`: until the
 * server accepts a new one, the previous request's rows stay on the page.
 */
async function followsNewRequest(previous: string | null): Promise<void> {
  await until("the new request's results", async () => {
    const id = await shownRequest();
    return id !== null && id !== previous ? id : undefined;
  });
}

async function chooseAction(agent: string, action: string): Promise<void> {
  await page.locator('select[name="agent"]').selectOption(agent);
  // Options are matched by their text: Preact sets an option's value as a property, not an attribute.
  await page
    .locator('select[name="action"] option', { hasText: new RegExp(`^${action}$`) })
    .waitFor({ state: "attached" });
  await page.locator('select[name="action"]').selectOption(action);
  await page.getByRole("heading", { name: `${agent} ${action}` }).waitFor();
}

async function runFinished(): Promise<void> {
  await page.locator('[data-testid="results"][data-phase="ended"]').waitFor({ timeout: WAIT });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  site = await startTestSite(PORTS.broker, PORTS.console);
  browser = await launchChromium();
  page = browser.page;
  page.setDefaultTimeout(WAIT);
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

// The steps build on each other (signed in, then filtered, then run): after a
// failure the rest would only wait out their limits, so they are skipped.
let broken = false;
beforeEach((context) => {
  if (broken) context.skip();
});
afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    broken = true;
    await shot(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
  }
});

describe("the console in Chromium", () => {
  it("signs alice in with her password and refuses a wrong one", async () => {
    await page.goto(site.consoleUrl);
    await page.getByLabel("Login").fill("alice");
    await page.getByLabel("Password").fill("not her password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong login or password" }).waitFor();
    await shot("01-sign-in-refused");
    await signIn("alice");
    await page.getByRole("heading", { name: "Fleet" }).waitFor();
  });

  it("lists the three registered nodes with their facts, classes and agents", async () => {
    await countSettlesAt(NODES.length);
    for (const node of NODES) {
      await page.locator(`[data-testid="fleet-table"] tr[data-identity="${node.identity}"]`).waitFor();
    }
    const node1 = page.locator('[data-testid="fleet-table"] tr[data-identity="node1"]');
    expect(await node1.textContent()).toContain("role::web");
    expect(await node1.textContent()).toContain("package");
    await shot("02-fleet");
  });

  it("updates the live count as each filter is typed", async () => {
    await setFilter({ fact: "role=web" });
    await countSettlesAt(2);
    await setFilter({ fact: "role=web", identity: "node1" });
    await countSettlesAt(1);
    await setFilter({ class: "role::db" });
    await countSettlesAt(1);
    await setFilter({ compound: "role=web and datacenter=dc2" });
    await countSettlesAt(1);
    await page.locator('[data-testid="fleet-table"] tr[data-identity="node3"]').waitFor();
    await shot("03-filter");
    await setFilter({ agent: "no_such_agent" });
    await countSettlesAt(0);
    await setFilter({});
    await countSettlesAt(NODES.length);
  });

  it("renders a fact holding <script> and HTML as text: nothing runs, no dialog", async () => {
    const motd = NODES[0].facts.motd;
    expect(motd).toContain("<script>");
    await page.locator('[data-testid="fleet-table"] a', { hasText: "node1" }).click();
    await page.getByTestId("node-identity").filter({ hasText: "node1" }).waitFor();
    const cell = page.locator('[data-testid="facts"] tr', { hasText: "motd" }).locator("td");
    await cell.waitFor();
    expect(await cell.textContent()).toBe(motd);
    expect(await cell.locator("script, img").count()).toBe(0);
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot("04-xss-as-text");
  });

  it("runs rpcutil ping on every node after confirming the unfiltered request, rows arriving per node", async () => {
    await page.getByRole("link", { name: "Run", exact: true }).click();
    await chooseAction("rpcutil", "ping");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    // No filter: the console asks first, as mco does.
    await page.getByRole("alertdialog").waitFor();
    await shot("05-confirm-unfiltered");
    await page.getByRole("button", { name: "Run on every node" }).click();
    const rows = await rowsFrom(NODES.map((n) => n.identity));
    for (const node of NODES) expect(rows.get(node.identity)?.status).toBe("OK");
    await runFinished();
    await shot("06-rpcutil-ping");
  });

  it("checks package inputs as they are typed and runs package status on the three nodes", async () => {
    await setFilter({ class: "base" });
    await countSettlesAt(NODES.length);
    await chooseAction("package", "status");
    const input = page.locator('input[name="package"]');
    await input.fill("bash; rm -rf /");
    // The server's validator (mco's rules: shellsafe) answers while the user types.
    const error = page.getByTestId("error-package");
    const message = await until("the shellsafe error", async () => {
      const text = (await error.count()) > 0 ? await error.textContent() : null;
      return text?.includes(";") ? text : undefined;
    });
    expect(message).toMatch(/package/);
    await shot("07-validation-as-typed");
    await input.fill("bash");
    await error.waitFor({ state: "detached" });
    const previous = await shownRequest();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await followsNewRequest(previous);
    const rows = await rowsFrom(NODES.map((n) => n.identity));
    for (const node of NODES) {
      expect(rows.get(node.identity)?.status).toBe("OK");
      expect(rows.get(node.identity)?.data).toMatch(/Name: bash/);
    }
    await runFinished();
    await shot("08-package-status");
  });

  it("lists alice's requests in the history", async () => {
    await page.getByRole("link", { name: "History" }).click();
    const history = page.getByTestId("history");
    await history.waitFor();
    await until("both requests in the history", async () => {
      const text = (await history.textContent()) ?? "";
      return text.includes("rpcutil ping") && text.includes("package status") ? true : undefined;
    });
    await shot("09-history");
  });

  it("shows every node's denial when the action policy refuses bob rpcutil ping", async () => {
    await signOut();
    await signIn("bob");
    await page.getByRole("link", { name: "Run", exact: true }).click();
    await setFilter({ class: "base" });
    await chooseAction("rpcutil", "ping");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const rows = await rowsFrom(NODES.map((n) => n.identity));
    for (const node of NODES) {
      expect(rows.get(node.identity)?.status).toMatch(/not authorized/i);
      expect(await page.locator(`tr[data-sender="${node.identity}"]`).getAttribute("data-status")).not.toBe(
        "0",
      );
    }
    await runFinished();
    await shot("10-denied");
  });

  it("signs out: the API refuses the old session and the sign-in form is back", async () => {
    await signOut();
    const status = await page.evaluate(async () => (await fetch("/api/session")).status);
    expect(status).toBe(401);
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await shot("11-signed-out");
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
