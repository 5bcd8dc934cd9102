/**
 * Debian's Chromium, headless, driven by playwright-core: the console's
 * browser tests and its benchmark. Playwright's own browser downloads are
 * neither wanted nor possible here; tooling/scripts/provision.sh installs
 * the `chromium` package. Each launch gets a fresh profile directory, so no
 * cookie or cache survives from one run to the next.
 *
 * A subpath of its own (`@phobos/interop/chromium`), so the many suites that
 * import the package root do not load playwright-core.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { PROVISION_HINT } from "./reference-environment.js";

export const CHROMIUM = process.env.PHOBOS_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** The profile's first tab. */
  readonly page: Page;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

export async function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<HeadlessChromium> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: ${PROVISION_HINT} (it installs Debian's chromium)`);
  }
  // launchPersistentContext is how Playwright takes a --user-data-dir of our choosing.
  const profile = await mkdtemp(join(tmpdir(), "phobos-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: options.viewport ?? { width: 1280, height: 860 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}
