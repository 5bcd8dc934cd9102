/**
 * Completion in a real interactive bash, driven through tmux as an operator
 * would type: the shipped completion/mco.bash sourced, keys sent, the
 * screen read back.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";

const script = fileURLToPath(new URL("../completion/mco.bash", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mco", import.meta.url));
const session = `phobos-completion-${process.pid}`;
let dir: string;

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-L", session, ...args], { encoding: "utf8" });
  if (r.error)
    throw new Error(
      `tmux is needed for this test: run \`sh tooling/scripts/provision.sh\` (${r.error.message})`,
    );
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function screenShows(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = "";
  while (Date.now() < deadline) {
    screen = tmux("capture-pane", "-p", "-t", session);
    if (pattern.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the screen never showed ${pattern}:\n${screen}`);
}

/** Ctrl-C drops the line; then the screen is cleared so old lines cannot match. */
async function clearLine(): Promise<void> {
  tmux("send-keys", "-t", session, "C-c");
  tmux("send-keys", "-t", session, "clear", "Enter");
  await screenShows(/^\$ ?$/m);
  tmux("clear-history", "-t", session);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "phobos-completion-"));
  // `mco` on PATH, as an installed package provides it.
  writeFileSync(join(dir, "mco"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(dir, "mco"), 0o755);
  writeFileSync(join(dir, "bashrc"), `PS1='$ '\nexport PATH="${dir}:$PATH"\nsource "${script}"\n`);
  tmux(
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "200",
    "-y",
    "50",
    `bash --noprofile --rcfile ${join(dir, "bashrc")} -i`,
  );
  await screenShows(/^\$ ?$/m);
});

afterAll(() => {
  spawnSync("tmux", ["-L", session, "kill-server"]);
  rmSync(dir, { recursive: true, force: true });
});

describe("mco completion in an interactive bash", () => {
  it("completes an application name on Tab", async () => {
    tmux("send-keys", "-t", session, "mco pi", "Tab");
    await screenShows(/\$ mco ping ?$/m);
    await clearLine();
  });

  it("lists an agent's actions on Tab Tab and an action's inputs", async () => {
    // Each Tab runs `mco completion`; the next key waits for the screen, as a person would.
    tmux("send-keys", "-t", session, "mco rpc rpcutil get_f", "Tab");
    await screenShows(/\$ mco rpc rpcutil get_fact$/m);
    // bash lists the candidates on a second pair of Tabs, as it does for any ambiguous word.
    tmux("send-keys", "-t", session, "Tab", "Tab");
    await screenShows(/get_fact\s+get_facts/);
    await clearLine();
    tmux("send-keys", "-t", session, "mco rpc rpcutil get_data ", "Tab", "Tab");
    await screenShows(/query=\s+source=/);
    await clearLine();
  });

  it("completes options from the application's help", async () => {
    tmux("send-keys", "-t", session, "mco rpc --no-r", "Tab");
    await screenShows(/\$ mco rpc --no-results ?$/m);
    await clearLine();
  });
});
