/**
 * `mco shell` end to end: four real Phobos mcollectived processes on the
 * machine's RabbitMQ (tooling/interop), the real Phobos `mco` and Debian's
 * Ruby `mco`. sh1 and sh2 run the shell agent (activated, action_policy
 * allowing it, the logfile audit), sh3 runs it under a policy that denies
 * it, sh4 has it installed but not activated. Each host's exit code,
 * stdout and stderr; the timeout killing the command and what it started;
 * the output cap; the question before an unfiltered run; Ruby's
 * `mco rpc shell run` with the agent's Ruby DDL.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEBIAN_PLUGIN_DIR,
  phobosCommand,
  type RubyFleet,
  type RubyFleetNode,
  type RubyMcoResult,
  startRubyFleet,
  writeClientConfig,
  writeRubyFix,
} from "@phobos/interop";
import { processGone } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DENIED = "You are not authorized to call this agent or action.";

let fleet: RubyFleet;
let work: string;
let rubyConfig: string;

const audit = (identity: string) => join(work, `${identity}-audit.log`);
const auditLines = async (identity: string) =>
  (await readFile(audit(identity), "utf8").catch(() => "")).split("\n").filter(Boolean);

// The config goes first: the harness would add it after a `--`, where it is a word of the command.
const phobos = (args: string[], input?: string) =>
  fleet.mco(["shell", "--config", fleet.clientConfig, ...args], {
    implementation: "phobos",
    ...(input === undefined ? {} : { input }),
  });

/** Timings made comparable. */
const comparable = (text: string) => text.replace(/ in \d+\.\d\d ms/g, " in T ms");

function ok(run: RubyMcoResult): RubyMcoResult {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-shell-e2e-"));
  const node = (identity: string, activated: boolean): RubyFleetNode => ({
    identity,
    implementation: "phobos",
    agents: activated ? ["discovery", "rpcutil", "shell"] : ["discovery", "rpcutil"],
    ...(activated ? {} : { loglevel: "debug" as const }),
    extra: activated
      ? {
          rpcauthorization: 1,
          rpcauthprovider: "action_policy",
          rpcaudit: 1,
          rpcauditprovider: "logfile",
          "plugin.rpcaudit.logfile": audit(identity),
          "plugin.shell.activate_agent": "true",
          "plugin.shell.max_output": "1000",
          "plugin.shell.timeout": "20",
        }
      : {},
  });
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-shell",
    nodes: [node("sh1", true), node("sh2", true), node("sh3", true), node("sh4", false)],
  });
  for (const [identity, policy] of [
    ["sh1", "allow"],
    ["sh2", "allow"],
    ["sh3", "deny"],
  ] as const) {
    const dir = join(fleet.node(identity).dir, "policies");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "shell.policy"), `policy default ${policy}\n`);
  }
  const dir = join(fleet.dir, "ruby-client");
  const lib = join(dir, "lib");
  await mkdir(join(lib, "mcollective", "agent"), { recursive: true });
  await copyFile(
    fileURLToPath(new URL("./__fixtures__/shell.ddl", import.meta.url)),
    join(lib, "mcollective", "agent", "shell.ddl"),
  );
  const fix = await writeRubyFix(join(dir, "ruby-fix"));
  rubyConfig = await writeClientConfig(dir, {
    ...fleet.clientConfigOptions,
    libdir: [fix, lib, DEBIAN_PLUGIN_DIR],
  });
}, 300_000);

afterAll(async () => {
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

/** `mco shell` at a real terminal: a tmux pane of its own, keys typed, the screen read back. */
class Terminal {
  readonly #socket = `phobos-shell-${process.pid}-${Math.random().toString(16).slice(2)}`;

  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.#socket, ...args], { encoding: "utf8" });
    if (r.error)
      throw new Error(`tmux is needed for this test (tooling/scripts/provision.sh): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  start(argv: string[]): void {
    const command = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    // The pane stays after mco exits, so its last screen can be read.
    this.tmux(
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      "200",
      "-y",
      "50",
      `${command}; echo "rc=$?"; sleep 600`,
    );
  }

  async shows(pattern: RegExp): Promise<string> {
    let screen = "";
    for (let i = 0; i < 600; i++) {
      screen = this.tmux("capture-pane", "-p", "-t", "main");
      if (pattern.test(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the terminal never showed ${pattern}:\n${screen}`);
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", "main", ...keys);
  }

  kill(): void {
    spawnSync("tmux", ["-L", this.#socket, "kill-server"]);
  }
}

describe.sequential("mco shell against four Phobos daemons", () => {
  it("prints each host's stdout, stderr and exit code, in name order", async () => {
    const run = ok(
      await phobos(["-I", "sh1", "-I", "sh2", "--np", "--shell", "run", "echo out; echo err >&2; exit 3"]),
    );
    const block = (n: string) => [`${n}:`, "out", "    STDERR:", "err", "exitcode: 3", ""];
    expect(comparable(run.stdout)).toBe(
      [...block("sh1"), ...block("sh2"), "", "Finished processing 2 / 2 hosts in T ms", "", ""].join("\n"),
    );
  });

  it("runs an argument vector exactly as typed, no shell in between", async () => {
    const run = ok(await phobos(["-I", "sh1", "--np", "run", "--", "printf", "%s|", "a b", "$HOME", "*"]));
    expect(run.stdout.startsWith("sh1:\na b|$HOME|*|\nexitcode: 0\n\n")).toBe(true);
    // One quoted word stays one word: a program of that name, not a pipe.
    const oneWord = await phobos(["-I", "sh1", "--np", "run", "echo a | cat"]);
    expect(oneWord.code).toBe(2);
    expect(oneWord.stdout).toContain("sh1: ERROR: Cannot run echo a | cat: no such command\n");
  });

  it("a command line a client sent that needs a shell is refused unless it asked for one", async () => {
    const refused = await fleet.mco(["rpc", "shell", "run", "command=echo a | cat", "-I", "sh1", "-j"], {
      configFile: rubyConfig,
    });
    const [reply] = JSON.parse(refused.stdout) as { statuscode: number; statusmsg: string }[];
    expect(reply).toMatchObject({
      statuscode: 4,
      statusmsg:
        "The command uses the shell operator '|', which only a shell interprets: run it with shell=true (mco shell --shell) or without it",
    });
    const piped = ok(
      await fleet.mco(["rpc", "shell", "run", "command=echo a | cat", "shell=true", "-I", "sh1", "-j"], {
        configFile: rubyConfig,
      }),
    );
    expect(JSON.parse(piped.stdout)).toMatchObject([{ statuscode: 0, data: { stdout: "a\n" } }]);
  });

  it("kills the command, and what it started, when its timeout passes", async () => {
    const pidFile = join(work, "sleeper.pid");
    const command = `sleep 300 & echo $! > ${pidFile}; wait`;
    const run = await phobos(["-I", "sh1", "--np", "--shell", "--command-timeout", "1", "run", command]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`sh1: ERROR: ${command} did not finish within 1s and was killed\n`);
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    await processGone(pid);
  });

  it("keeps no more than the node's max_output and says it cut", async () => {
    const run = ok(
      await phobos(["-I", "sh1", "--np", "--shell", "run", "head -c 5000 /dev/zero | tr '\\0' a"]),
    );
    expect(
      run.stdout.startsWith(
        `sh1:\n${"a".repeat(1000)}\nexitcode: 0\n(output cut at the node's plugin.shell.max_output)\n`,
      ),
    ).toBe(true);
  });

  it("action_policy denies it on sh3, and the audit log records the attempt", async () => {
    const run = await phobos(["-I", "sh3", "--np", "run", "true"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`sh3: ERROR: ${DENIED}\n`);
    expect(await auditLines("sh3")).toContainEqual(
      expect.stringMatching(
        / agent=shell action=run data=\{:command=>"true", :process_results=>true\} authorization=denied$/,
      ),
    );
  });

  it("the audit log records what ran where it was allowed", async () => {
    ok(await phobos(["-I", "sh2", "--np", "run", "--", "echo", "audited"]));
    expect(await auditLines("sh2")).toContainEqual(
      expect.stringMatching(
        / agent=shell action=run data=\{:command=>"echo audited", :process_results=>true\}$/,
      ),
    );
  });

  it("is not there where it is not activated: sh4 neither answers nor lists it, and logs why", async () => {
    const inventory = ok(
      await fleet.mco(["rpc", "rpcutil", "agent_inventory", "-I", "sh4", "-j"], { implementation: "phobos" }),
    );
    const [reply] = JSON.parse(inventory.stdout) as { data: { agents: { agent: string }[] } }[];
    expect(reply?.data.agents.map((a) => a.agent)).not.toContain("shell");
    // An identity filter alone is not discovered: the request goes to sh4, which has no such agent.
    const run = await phobos(["-I", "sh4", "--np", "-t", "3", "run", "true"]);
    expect(run.code).toBe(4);
    expect(run.stdout).not.toContain("sh4:\n");
    expect(run.stdout).toMatch(/No response from:\n\n +sh4 /);
    expect(await readFile(fleet.node("sh4").logFile, "utf8")).toMatch(
      /Not activating agent shell due to agent policy in activate\? method/,
    );
  });

  it("asks before an unfiltered run: no answer or 'n' runs nothing, 'y' runs it", async () => {
    const marker = join(work, "unfiltered-marker");
    for (const input of ["n\n", ""]) {
      const run = await phobos(["--np", "run", "touch", marker], input);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("Do you really want to run this command unfiltered? (y/n): ");
    }
    expect(existsSync(marker)).toBe(false);
    const yes = await phobos(["--np", "run", "touch", marker], "y\n");
    expect(yes.stdout).toMatch(/^Do you really want to run this command unfiltered\? \(y\/n\): sh1:\n/);
    expect(yes.stdout).toContain(`sh3: ERROR: ${DENIED}\n`);
    expect(existsSync(marker)).toBe(true);
  });

  it("at a terminal, the question waits for the operator's answer", async () => {
    for (const [answer, runs] of [
      ["n", false],
      ["y", true],
    ] as const) {
      const marker = join(work, `terminal-marker-${answer}`);
      const terminal = new Terminal();
      try {
        const mco = phobosCommand("mco", [
          "shell",
          "--config",
          fleet.clientConfig,
          "--np",
          "run",
          "touch",
          marker,
        ]);
        terminal.start([mco.command, ...mco.args]);
        await terminal.shows(/Do you really want to run this command unfiltered\? \(y\/n\):$/m);
        terminal.keys(answer, "Enter");
        const screen = await terminal.shows(/^rc=\d+$/m);
        expect(screen).toContain(runs ? "rc=2" : "rc=1");
        if (runs) expect(screen).toMatch(/^sh1:$/m);
        expect(existsSync(marker)).toBe(runs);
      } finally {
        terminal.kill();
      }
    }
  });

  it("Ruby's mco rpc shell run, with the agent's Ruby DDL, gets Choria's outputs", async () => {
    const run = ok(
      await fleet.mco(["rpc", "shell", "run", "command=echo from-ruby", "timeout=5.0", "-I", "sh1", "-j"], {
        configFile: rubyConfig,
      }),
    );
    const [reply] = JSON.parse(run.stdout) as {
      sender: string;
      statuscode: number;
      data: Record<string, unknown>;
    }[];
    expect(reply).toMatchObject({
      sender: "sh1",
      statuscode: 0,
      data: { stdout: "from-ruby\n", stderr: "", exitcode: 0, success: true, truncated: false },
    });
  });
});
