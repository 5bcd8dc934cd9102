/**
 * `phobos-console`: serves the console, or manages its users.
 *
 *   phobos-console [-c client.cfg]                       serve
 *   phobos-console [-c client.cfg] user add NAME [--ssl-private PEM --ssl-public PEM]
 *   phobos-console [-c client.cfg] user remove NAME
 *   phobos-console [-c client.cfg] user list
 *
 * `user add` reads the password from the terminal (twice), or one line of
 * stdin when it is not a terminal. Every failure is one line on stderr
 * naming what was wrong, exit 1.
 */
import { createInterface } from "node:readline";
import { chooseConfigFile, loadConfig, PhobosError, UsageError } from "@phobos/core";
import { consoleSettings } from "./console-settings.js";
import { startConsole } from "./serve.js";
import { UsersStore } from "./users-store.js";

const USAGE = `Usage: phobos-console [-c|--config client.cfg] [-h|--help] [user add NAME [--ssl-private PEM --ssl-public PEM] | user remove NAME | user list]`;

async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const rl = createInterface({ input });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new UsageError("no password on stdin");
  }
  const ask = async (prompt: string) => {
    process.stderr.write(prompt);
    input.setRawMode(true);
    let typed = "";
    try {
      for await (const chunk of input) {
        for (const ch of String(chunk)) {
          if (ch === "\r" || ch === "\n") return typed;
          if (ch === "\u0003") throw new UsageError("cancelled");
          if (ch === "\u007f") typed = typed.slice(0, -1);
          else typed += ch;
        }
      }
      return typed;
    } finally {
      input.setRawMode(false);
      process.stderr.write("\n");
    }
  };
  const first = await ask("Password: ");
  const again = await ask("Again: ");
  if (first !== again) throw new UsageError("the two passwords differ");
  return first;
}

function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined) throw new UsageError(`${name} needs a file`);
  args.splice(i, 2);
  return value;
}

async function userCommand(configFile: string, args: string[]): Promise<void> {
  const settings = consoleSettings(loadConfig(configFile), configFile);
  const store = new UsersStore(settings.usersFile);
  const [verb, name, ...rest] = args;
  if (verb === "list" && name === undefined) {
    for (const user of store.list()) {
      process.stdout.write(`${user.login}${user.sslPrivateKey ? ` (ssl key ${user.sslPrivateKey})` : ""}\n`);
    }
    return;
  }
  if (name === undefined) throw new UsageError(USAGE);
  if (verb === "add") {
    const sslPrivateKey = takeOption(rest, "--ssl-private");
    const sslPublicKey = takeOption(rest, "--ssl-public");
    if (rest.length > 0) throw new UsageError(`unknown argument '${rest[0]}': ${USAGE}`);
    if ((sslPrivateKey === undefined) !== (sslPublicKey === undefined)) {
      throw new UsageError("give both --ssl-private and --ssl-public, or neither");
    }
    const password = await readPassword();
    await store.set(name, password, {
      ...(sslPrivateKey ? { sslPrivateKey } : {}),
      ...(sslPublicKey ? { sslPublicKey } : {}),
    });
    process.stdout.write(`user ${name} saved in ${store.file}\n`);
    return;
  }
  if (verb === "remove" && rest.length === 0) {
    if (!store.remove(name)) throw new UsageError(`no user '${name}' in ${store.file}`);
    process.stdout.write(`user ${name} removed from ${store.file}\n`);
    return;
  }
  throw new UsageError(USAGE);
}

export async function main(argv: string[]): Promise<void> {
  try {
    const args = [...argv];
    const choice = chooseConfigFile(args);
    for (const flag of ["-c", "--config"]) {
      const i = args.indexOf(flag);
      if (i >= 0) args.splice(i, 2);
    }
    const i = args.findIndex((a) => a.startsWith("--config="));
    if (i >= 0) args.splice(i, 1);
    if (args[0] === "-h" || args[0] === "--help") {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (args[0] === "user") {
      await userCommand(choice.file, args.slice(1));
      return;
    }
    if (args.length > 0) throw new UsageError(`unknown argument '${args[0]}': ${USAGE}`);
    const running = await startConsole({ configFile: choice.file });
    process.stdout.write(`phobos-console listening on ${running.url}\n`);
    const stop = () => {
      running.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (err) {
    const message = err instanceof PhobosError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`phobos-console: ${message}\n`);
    process.exitCode = 1;
  }
}
