import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { startConsole } from "./console.js";
import { freePort, MCO, startDaemons } from "./daemons.js";
import { DEMO_NODES, writeSite } from "./site.js";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function runMco(args: string[], client: string): Promise<number> {
  process.stdout.write(`\n${bold(`$ mco ${args.join(" ")}`)}\n`);
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [MCO, ...args, "-c", client], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code) => resolveRun(code ?? 1));
  });
}

/**
 * The README's first command: a Phobos site on this machine with nothing
 * else installed — the embedded broker hosted by node1, three daemons with
 * different facts — and a short tour of mco. Everything it starts it stops
 * on exit or Ctrl-C.
 */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      keep: { type: "boolean" },
      "no-keep": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(
      "Usage: phobos-demo [--keep | --no-keep]\n  --keep     leave the site running until Ctrl-C (default on a terminal)\n",
    );
    return 0;
  }
  const keep = values["no-keep"] ? false : (values.keep ?? process.stdin.isTTY === true);
  const dir = mkdtempSync(join(tmpdir(), "phobos-demo-"));
  const port = await freePort();
  const { client, servers } = writeSite(dir, port, undefined, await freePort());
  const daemons: ChildProcess[] = [];
  let cleaned = false;
  // A daemon writes its log and replay record while it shuts down: the site's
  // directory goes only once every daemon has exited, or removing it races them.
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const exited = daemons.map((d) =>
      d.exitCode !== null || d.signalCode !== null ? undefined : once(d, "exit"),
    );
    for (const d of daemons) d.kill("SIGTERM");
    await Promise.all(exited);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void cleanup().finally(() => process.exit(130)));
  process.on("SIGTERM", () => void cleanup().finally(() => process.exit(143)));
  // Last resort when the process ends some other way: nothing can be awaited here.
  process.on("exit", () => {
    for (const d of daemons) d.kill("SIGTERM");
  });

  try {
    process.stdout.write(
      `Starting a Phobos site in ${dir}: embedded broker on 127.0.0.1:${port}, daemons ${DEMO_NODES.map((n) => n.identity).join(", ")}\n`,
    );
    await startDaemons(servers, daemons);
    // Pushed with the daemons: cleanup stops it as it stops them.
    const web = await startConsole(client, daemons);

    let failures = 0;
    for (const args of [
      ["ping", "-t", "1"],
      ["find", "-F", "osfamily=Debian", "--dt", "1"],
      ["facts", "role", "--dt", "1"],
      ["rpc", "rpcutil", "inventory", "-I", "node1"],
    ]) {
      if ((await runMco(args, client)) !== 0) failures++;
    }

    const rel = relative(process.cwd(), MCO) || MCO;
    process.stdout.write(
      `\n${bold("What to type next")} (the site is ${keep ? "still running" : "stopped when this command ends; run it in a terminal to keep it up"}):\n` +
        `  alias mco="${rel} -c ${client}"\n` +
        "  mco find -S 'role=web or role=db'          # compound filters\n" +
        "  mco rpc rpcutil get_fact fact=datacenter   # any agent action, with a summary\n" +
        "  mco rpc rpcutil ping --batch 1              # batches\n" +
        "  mco inventory node2                         # one node's facts, classes, agents\n" +
        "  mco plugin doc rpcutil                      # what an agent offers\n" +
        `\n${bold("The web console")}: ${web.url}\n` +
        `  sign in as admin with the one-time password ${web.password} (made for this run; the site and its users go when the demo ends)\n` +
        `Configs and logs: ${dir}\n`,
    );
    if (keep) {
      process.stdout.write("Press Ctrl-C to stop the daemons and the broker.\n");
      await new Promise(() => {});
    }
    return failures === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`phobos-demo: ${(err as Error).message}\n`);
    return 1;
  } finally {
    if (!keep) await cleanup();
  }
}
