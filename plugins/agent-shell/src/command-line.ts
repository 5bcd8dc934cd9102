import { InvalidRpcDataError } from "@phobos/core";
import { parse } from "shell-quote";

/**
 * Backquotes and a word-leading `~` that a shell would expand: shell-quote
 * hands both back as plain text, so they are looked for here, outside
 * single quotes and backslashes (a backquote inside double quotes still
 * substitutes).
 */
function unquotedExpansion(command: string): string | undefined {
  let quote: "'" | '"' | undefined;
  let wordStart = true;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      wordStart = false;
      continue;
    }
    if (c === "\\") {
      i++;
      wordStart = false;
      continue;
    }
    if (c === "`") return "command substitution (`…`)";
    if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "~" && wordStart) return "tilde expansion (~)";
    wordStart = quote === undefined && /\s/.test(c);
  }
  return undefined;
}

/** What a shell does with a token that an argument vector cannot, for the refusal message. */
function shellOnly(token: unknown): string | undefined {
  if (typeof token === "string") return undefined;
  if (token !== null && typeof token === "object") {
    if ("comment" in token) return "a comment (#)";
    if ("pattern" in token) return `the glob ${String((token as { pattern: unknown }).pattern)}`;
    if ("variable" in token) {
      const name = String((token as { variable: unknown }).variable);
      // shell-quote reads `$(` as a variable with no name.
      return name === "" ? "command substitution ($(…))" : `the variable $${name}`;
    }
    if ("op" in token) {
      const op = String((token as { op: unknown }).op);
      return op === "$" ? "command substitution ($(…))" : `the shell operator '${op}'`;
    }
  }
  return "shell syntax";
}

/**
 * The argument vector a command line stands for, read with POSIX quoting
 * (quotes and backslashes group and escape words) but nothing a shell
 * would expand or interpret: pipes, redirections, lists, globs, variables,
 * substitutions, `~` and leading assignments are refused with a message
 * naming what was found and that `shell=true` runs the line through
 * `/bin/sh -c`. So a plain `ls -l /tmp` needs no shell, and nothing in it
 * can become a second command.
 */
export function commandArgv(command: string): string[] {
  const refuse = (found: string) =>
    new InvalidRpcDataError(
      `The command uses ${found}, which only a shell interprets: run it with shell=true (mco shell --shell) or without it`,
    );
  const expansion = unquotedExpansion(command);
  if (expansion !== undefined) throw refuse(expansion);
  const argv: string[] = [];
  for (const token of parse(command, (key) => ({ variable: key }))) {
    const found = shellOnly(token);
    if (found !== undefined) throw refuse(found);
    argv.push(token as string);
  }
  if (argv.length === 0) throw new InvalidRpcDataError("The command is empty");
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0] as string)) {
    throw new InvalidRpcDataError(
      `The command starts with the variable assignment '${argv[0]}', which only a shell interprets: run it with shell=true (mco shell --shell)`,
    );
  }
  return argv;
}

/**
 * The command line `commandArgv` reads back as exactly `argv`: plain words
 * as they are, anything else in single quotes (shell-quote's own `quote`
 * escapes `*` with a backslash, which its `parse` then takes for a glob).
 */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((word) => (/^[A-Za-z0-9_/.,:=+@%-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`))
    .join(" ");
}
