/**
 * Completion in a real interactive bash and zsh, driven through tmux as an
 * operator would type: keys sent, the screen read back. The scripts are
 * used as shipped (completion/mco.bash sourced from the package) and as
 * installed (`mco completion --bash|--zsh` written where bash-completion
 * and zsh look), with another `mco` first in PATH that must never be asked.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";

const script = fileURLToPath(new URL("../completion/mco.bash", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mco", import.meta.url));
const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
let dir: string;

function mcoOutput(...args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mco ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** One interactive shell in its own tmux server. */
class Shell {
  readonly #socket: string;

  constructor(readonly name: string) {
    this.#socket = `phobos-completion-${process.pid}-${name}`;
  }

  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.#socket, ...args], { encoding: "utf8" });
    if (r.error)
      throw new Error(
        `tmux is needed for this test: run \`sh tooling/scripts/provision.sh\` (${r.error.message})`,
      );
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  async start(command: string): Promise<void> {
    this.tmux("new-session", "-d", "-s", "main", "-x", "200", "-y", "50", command);
    await this.screenShows(/^\$ ?$/m);
  }

  async screenShows(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.tmux("capture-pane", "-p", "-t", "main");
      if (pattern.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name}: the screen never showed ${pattern}:\n${screen}`);
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", "main", ...keys);
  }

  /** Ctrl-C drops the line; then the screen is cleared so old lines cannot match. */
  async clearLine(): Promise<void> {
    this.keys("C-c");
    this.keys("clear", "Enter");
    await this.screenShows(/^\$ ?$/m);
    this.tmux("clear-history", "-t", "main");
  }

  stop(): void {
    const socket = spawnSync("tmux", ["-L", this.#socket, "display-message", "-p", "#{socket_path}"], {
      encoding: "utf8",
    }).stdout.trim();
    spawnSync("tmux", ["-L", this.#socket, "kill-server"]);
    // tmux leaves its socket file behind.
    if (socket !== "") rmSync(socket, { force: true });
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Types `typed`, Tab, and checks the line reads `line` — trailing space
 * included: tmux drops trailing blanks from the screen, so a `@` typed
 * after the completion shows where the cursor was left.
 */
async function completes(shell: Shell, typed: string, line: string): Promise<void> {
  shell.keys(typed, "Tab");
  await shell.screenShows(new RegExp(`^\\$ ${escapeRegExp(line.trimEnd())}$`, "m"));
  shell.keys("@");
  await shell.screenShows(new RegExp(`^\\$ ${escapeRegExp(line)}@$`, "m"));
  await shell.clearLine();
}

const shipped = new Shell("bash-shipped");
const bashUsr = new Shell("bash-usr-share");
const bashEtc = new Shell("bash-etc");
const zsh = new Shell("zsh");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "phobos-completion-"));
  // The package's own `mco` on PATH, as an installed package provides it.
  const own = join(dir, "own-bin");
  mkdirSync(own);
  writeFileSync(join(own, "mco"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(own, "mco"), 0o755);
  // Ruby's `mco` first in PATH on a host with both: it must never be asked.
  const impostor = join(dir, "impostor-bin");
  mkdirSync(impostor);
  writeFileSync(join(impostor, "mco"), "#!/bin/sh\necho ruby-only-app\n");
  chmodSync(join(impostor, "mco"), 0o755);
  const nodeDir = process.execPath.replace(/\/[^/]+$/, "");
  const path = `${impostor}:${nodeDir}:/usr/bin:/bin`;

  writeFileSync(join(dir, "bashrc-shipped"), `PS1='$ '\nexport PATH="${own}:$PATH"\nsource "${script}"\n`);

  // /usr/share/bash-completion/completions/mco: bash-completion looks there through
  // XDG_DATA_DIRS (default /usr/local/share:/usr/share), loading the file on first Tab.
  const share = join(dir, "share");
  mkdirSync(join(share, "bash-completion", "completions"), { recursive: true });
  writeFileSync(join(share, "bash-completion", "completions", "mco"), mcoOutput("completion", "--bash"));
  writeFileSync(
    join(dir, "bashrc-usr"),
    `PS1='$ '\nexport PATH="${path}"\nexport XDG_DATA_DIRS="${share}"\nsource ${BASH_COMPLETION}\n`,
  );
  // /etc/bash_completion.d/mco: sourced when bash-completion starts (BASH_COMPLETION_COMPAT_DIR).
  const compat = join(dir, "bash_completion.d");
  mkdirSync(compat);
  writeFileSync(join(compat, "mco"), mcoOutput("completion", "--bash"));
  writeFileSync(
    join(dir, "bashrc-etc"),
    `PS1='$ '\nexport PATH="${path}"\nexport XDG_DATA_DIRS="${join(dir, "empty")}"\nBASH_COMPLETION_COMPAT_DIR="${compat}"\nsource ${BASH_COMPLETION}\n`,
  );

  // zsh: `_mco` in a directory of $fpath, picked up by compinit.
  const zfunc = join(dir, "zfunc");
  mkdirSync(zfunc);
  writeFileSync(join(zfunc, "_mco"), mcoOutput("completion", "--zsh"));
  const zdotdir = join(dir, "zdotdir");
  mkdirSync(zdotdir);
  writeFileSync(
    join(zdotdir, ".zshrc"),
    `PS1='$ '\nexport PATH="${path}"\nfpath=("${zfunc}" $fpath)\nautoload -Uz compinit\ncompinit -u -d "${join(dir, "zcompdump")}"\n`,
  );

  await Promise.all([
    shipped.start(`bash --noprofile --rcfile ${join(dir, "bashrc-shipped")} -i`),
    bashUsr.start(`bash --noprofile --rcfile ${join(dir, "bashrc-usr")} -i`),
    bashEtc.start(`bash --noprofile --rcfile ${join(dir, "bashrc-etc")} -i`),
    zsh.start(`env ZDOTDIR=${zdotdir} zsh -i`),
  ]);
});

afterAll(() => {
  for (const shell of [shipped, bashUsr, bashEtc, zsh]) shell.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mco completion in an interactive bash, sourced from the package", () => {
  it("completes an application name on Tab", async () => {
    await completes(shipped, "mco pi", "mco ping ");
  });

  it("lists an agent's actions on Tab Tab and an action's inputs", async () => {
    // Each Tab runs `mco completion`; the next key waits for the screen, as a person would.
    shipped.keys("mco rpc rpcutil get_f", "Tab");
    await shipped.screenShows(/\$ mco rpc rpcutil get_fact$/m);
    // bash lists the candidates on a second pair of Tabs, as it does for any ambiguous word.
    shipped.keys("Tab", "Tab");
    await shipped.screenShows(/get_fact\s+get_facts/);
    await shipped.clearLine();
    shipped.keys("mco rpc rpcutil get_data ", "Tab", "Tab");
    await shipped.screenShows(/query=\s+source=/);
    await shipped.clearLine();
    // An input waits for its value: no space after `=`.
    await completes(shipped, "mco rpc rpcutil get_data q", "mco rpc rpcutil get_data query=");
  });

  it("completes options from the application's help", async () => {
    await completes(shipped, "mco rpc --no-r", "mco rpc --no-results ");
  });
});

describe.each([
  ["/usr/share/bash-completion/completions/mco", bashUsr],
  ["/etc/bash_completion.d/mco", bashEtc],
])("bash-completion with the script installed as %s, another mco first in PATH", (_where, shell) => {
  it("completes Phobos's applications, not the other mco's", async () => {
    await completes(shell, "mco pupp", "mco puppet ");
  });

  it("offers every discovery method after --dm, puppetdb included", async () => {
    shell.keys("mco find --dm ", "Tab", "Tab");
    await shell.screenShows(/flatfile\s+mc\s+puppetdb\s+registry\s+stdin/);
    await shell.clearLine();
    await completes(shell, "mco find --dm pu", "mco find --dm puppetdb ");
  });

  it("leaves no space after an input's `=`", async () => {
    await completes(shell, "mco rpc rpcutil get_data so", "mco rpc rpcutil get_data source=");
  });
});

describe("zsh with _mco installed in $fpath, another mco first in PATH", () => {
  it("completes Phobos's applications", async () => {
    await completes(zsh, "mco pupp", "mco puppet ");
  });

  it("lists the applications with their descriptions", async () => {
    zsh.keys("mco ", "Tab");
    await zsh.screenShows(/puppet\s+-- Schedule runs, enable, disable and interrogate the Puppet Agent/);
    await zsh.clearLine();
  });

  it("completes agents, actions and inputs of mco rpc", async () => {
    await completes(zsh, "mco rpc rpcu", "mco rpc rpcutil ");
    await completes(zsh, "mco rpc rpcutil get_d", "mco rpc rpcutil get_data ");
    await completes(zsh, "mco rpc rpcutil get_data so", "mco rpc rpcutil get_data source=");
  });

  it("offers every discovery method after --dm, and options after -", async () => {
    await completes(zsh, "mco find --dm pu", "mco find --dm puppetdb ");
    await completes(zsh, "mco rpc --no-r", "mco rpc --no-results ");
  });
});
