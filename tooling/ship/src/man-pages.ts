/**
 * The manual pages the .debs install (man/, hand-written roff), and how to
 * read the options a page documents and the options a command's --help
 * prints, so a test keeps the two equal.
 */
export const MAN_PAGES = [
  { page: "phobos-mco.1", package: "phobos-mco", bin: "apps/mco/bin/mco", help: ["ping", "--help"] },
  {
    page: "phobos-mcollectived.8",
    package: "phobos-mcollectived",
    bin: "apps/mcollectived/bin/mcollectived",
    help: ["--help"],
  },
  {
    page: "phobos-broker.8",
    package: "phobos-broker",
    bin: "packages/broker/bin/phobos-broker",
    help: ["--help"],
  },
  {
    page: "phobos-console.8",
    package: "phobos-console",
    bin: "apps/console/bin/phobos-console",
    help: ["--help"],
  },
  // The tools phobos-mco ships in /usr/lib/phobos/bin.
  {
    page: "phobos-keygen.1",
    package: "phobos-mco",
    bin: "plugins/security-ssl/bin/phobos-keygen",
    help: ["--help"],
  },
  {
    page: "phobos-rabbitmq-setup.8",
    package: "phobos-mco",
    bin: "plugins/connector-rabbitmq/bin/phobos-rabbitmq-setup",
    help: ["--help"],
  },
  {
    page: "check_mcollective_registry.8",
    package: "phobos-mco",
    bin: "plugins/application-registry/bin/check_mcollective_registry",
    help: ["--help"],
  },
] as const;

const OPTION = /(?<![\w-])--?[A-Za-z0-9][\w-]*/g;

/** roff to plain text, as far as option names need: font changes go, `\-` is a hyphen. */
function plain(line: string): string {
  return line
    .replace(/\\f[BIRP]/g, "")
    .replace(/\\-/g, "-")
    .replace(/\\&/g, "");
}

/** Options named on the tag line of every `.TP` item in the page's option and filter sections. */
export function pageOptions(roff: string): string[] {
  const found = new Set<string>();
  let inOptions = false;
  const lines = roff.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.startsWith(".SH ")) inOptions = /OPTIONS|FILTERS/.test(line);
    if (inOptions && line === ".TP") {
      for (const option of plain(lines[i + 1] ?? "").match(OPTION) ?? []) found.add(option);
    }
  }
  return [...found].sort();
}

/** Names of the `.TP` items of one section (the mco page's applications). */
export function pageItems(roff: string, section: string): string[] {
  const items: string[] = [];
  let inSection = false;
  const lines = roff.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.startsWith(".SH ")) inSection = line === `.SH ${section}`;
    if (inSection && line === ".TP") items.push(plain(lines[i + 1] ?? "").replace(/^\.B\s+/, ""));
  }
  return items;
}

/**
 * Options a --help output names: those in its Usage lines, and the option
 * column of its option lists, except an mco application's own section
 * (the page documents the options every application takes).
 */
export function helpOptions(help: string): string[] {
  const found = new Set<string>();
  let section = "";
  for (const line of help.split("\n")) {
    if (/^\S.*(Options|Filters)$/.test(line)) section = line;
    if (line.startsWith("Usage:")) {
      for (const option of line.match(OPTION) ?? []) found.add(option);
    } else if (/^\s+-/.test(line) && section !== "Application Options") {
      const column = line.trim().split(/\s{2,}/)[0] ?? "";
      for (const option of column.match(OPTION) ?? []) found.add(option);
    }
  }
  return [...found].sort();
}
