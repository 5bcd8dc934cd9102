/**
 * The two node description files a daemon reads: the yaml fact source
 * (`plugin.yaml = …/facts.yaml`) and the configuration management classes
 * (`classesfile = …/classes.txt`, one class per line, as Puppet writes it).
 */
import { writeFile } from "node:fs/promises";

export type FactValue =
  | string
  | number
  | boolean
  | null
  | readonly FactValue[]
  | { readonly [key: string]: FactValue };
export type Facts = Readonly<Record<string, FactValue>>;

// Words YAML 1.1 (Psych) reads as booleans or null, and anything that looks like a
// number, a date or YAML syntax: such strings are quoted so they stay strings.
const YAML_SPECIAL_WORD = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
const PLAIN_SAFE = /^[A-Za-z_/][\w./:@-]*$/;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "~";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`facts: ${value} cannot be written as a YAML number`);
    return String(value);
  }
  if (PLAIN_SAFE.test(value) && !YAML_SPECIAL_WORD.test(value) && !value.endsWith(":")) return value;
  // A JSON string is a valid YAML double-quoted scalar with the same meaning.
  return JSON.stringify(value);
}

function flow(value: FactValue): string {
  // Inside flow collections ",", "[", "{" and ":" change meaning: strings are always quoted.
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return scalar(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  const entries = Object.entries(value as Record<string, FactValue>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${flow(v)}`).join(", ")}}`;
}

/**
 * YAML for `facts`, one top-level key per line in the given order. Nested values are
 * written in flow style; MCollective itself only looks at top-level facts.
 */
export function renderFactsYaml(facts: Facts): string {
  const entries = Object.entries(facts);
  if (entries.length === 0) return "--- {}\n";
  const lines = entries.map(([key, value]) => {
    if (key === "") throw new Error("facts: empty fact name");
    return `${scalar(key)}: ${value === null || typeof value !== "object" ? scalar(value) : flow(value)}`;
  });
  return `---\n${lines.join("\n")}\n`;
}

export function renderClassesFile(classes: readonly string[]): string {
  for (const c of classes) {
    if (c === "" || /[\r\n]/.test(c) || c.trim() !== c) {
      throw new Error(`classes: ${JSON.stringify(c)} cannot be a line of a classes file`);
    }
  }
  return classes.map((c) => `${c}\n`).join("");
}

export async function writeFactsFile(path: string, facts: Facts): Promise<string> {
  await writeFile(path, renderFactsYaml(facts));
  return path;
}

export async function writeClassesFile(path: string, classes: readonly string[]): Promise<string> {
  await writeFile(path, renderClassesFile(classes));
  return path;
}
