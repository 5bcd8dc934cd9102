/**
 * The manual pages say what the commands and the shipped tools do: each
 * documents exactly the options its command's --help names (and --help
 * itself), the mco page
 * lists the applications `mco help` lists, and man renders every page
 * without a warning.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { helpOptions, MAN_PAGES, pageItems, pageOptions } from "./man-pages.js";
import { hasCommand, run } from "./system.js";

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(PACKAGE_DIR, "../..");
const ENV = { ...process.env, HOME: "/nonexistent", MCOLLECTIVE_EXTRA_OPTS: "" };

const page = (name: string) => readFileSync(join(PACKAGE_DIR, "man", name), "utf8");
// `mco <app> --help` exits 1 after printing the help, as Ruby's does: the output is what counts.
const help = (bin: string, args: readonly string[]) => {
  const { stdout, stderr } = run(process.execPath, [join(REPO_ROOT, bin), ...args], ENV);
  if (stdout.trim() === "") throw new Error(`${bin} ${args.join(" ")} printed no help:\n${stderr}`);
  return stdout;
};

describe("manual pages", () => {
  for (const man of MAN_PAGES) {
    it(`${man.page} documents the options ${man.bin} ${man.help.join(" ")} names`, () => {
      const expected = new Set([...helpOptions(help(man.bin, man.help)), "--help"]);
      expect(expected.size).toBeGreaterThan(2);
      expect(pageOptions(page(man.page))).toEqual([...expected].sort());
    });
  }

  it("phobos-mco.1 lists the applications mco help lists", () => {
    const listed = help("apps/mco/bin/mco", ["help"])
      .split("\n")
      .map((line) => /^ {2}([a-z_]+)\s/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(listed).toContain("rpc");
    expect(pageItems(page("phobos-mco.1"), "APPLICATIONS")).toEqual(listed);
  });

  it("renders every page with man, without a warning", () => {
    if (!hasCommand("man"))
      throw new Error("man (man-db) is missing: tooling/scripts/provision.sh installs it");
    for (const man of MAN_PAGES) {
      const rendered = run("man", ["--warnings", "-l", join(PACKAGE_DIR, "man", man.page)], {
        ...process.env,
        MANWIDTH: "80",
        MAN_KEEP_FORMATTING: "",
      });
      expect(rendered.stderr, man.page).toBe("");
      expect(rendered.status, man.page).toBe(0);
      expect(rendered.stdout, man.page).toContain("NAME");
    }
  });
});
