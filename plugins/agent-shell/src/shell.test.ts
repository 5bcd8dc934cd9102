/**
 * The shell agent in-process, through the daemon's own request path
 * (DDL validation, error mapping): real commands as argument vectors and
 * through /bin/sh, a real timeout that kills the command's whole process
 * group, the output cap, real accounts from the system's database (run as
 * root, so the agent can switch users), the environment it hands on, its
 * activation and settings; then the application's argument handling and
 * layout, and the conformance suite.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RpcResult } from "@phobos/client";
import { parseRubyDdl, rubyFloat } from "@phobos/core";
import { describeAgentPlugin, openAgentCaller, openPlugin, processGone } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import shellAgent, { MAX_TIMEOUT_S } from "./agent.js";
import { nodeBlock, parseShellArguments } from "./application.js";
import { commandArgv, commandLine } from "./command-line.js";
import ddl from "./ddl.js";

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-shell-"));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function run(data: Record<string, unknown>, settings: Record<string, string> = {}) {
  const caller = await openAgentCaller({ definition: shellAgent, ddl, settings });
  try {
    return await caller.call("run", data);
  } finally {
    caller.close();
  }
}

describe("the command line, without a shell", () => {
  it("is split into words with POSIX quoting and nothing expanded", () => {
    expect(commandArgv("ls -l /tmp")).toEqual(["ls", "-l", "/tmp"]);
    expect(commandArgv(`printf '%s|' "a b" c\\ d 'it'\\''s' '$HOME' "" x`)).toEqual([
      "printf",
      "%s|",
      "a b",
      "c d",
      "it's",
      "$HOME",
      "",
      "x",
    ]);
  });

  it.each([
    ["ps aux | grep x", "the shell operator '|'"],
    ["echo a > /tmp/f", "the shell operator '>'"],
    ["true; reboot", "the shell operator ';'"],
    ["true && reboot", "the shell operator '&&'"],
    ["sleep 1 &", "the shell operator '&'"],
    ["echo $HOME", "the variable $HOME"],
    ['echo "$' + '{HOME}"', "the variable $HOME"],
    ["echo $(id)", "command substitution ($(…))"],
    ["echo `id`", "command substitution (`…`)"],
    ['echo "`id`"', "command substitution (`…`)"],
    ["ls *.conf", "the glob *.conf"],
    ["ls ~/x", "tilde expansion (~)"],
    ["echo hi # there", "a comment (#)"],
  ])("refuses %s, naming %s and how to ask for a shell", (command, found) => {
    expect(() => commandArgv(command)).toThrow(
      `The command uses ${found}, which only a shell interprets: run it with shell=true (mco shell --shell) or without it`,
    );
  });

  it("refuses a leading assignment and an empty command", () => {
    expect(() => commandArgv("LANG=C ls")).toThrow(/variable assignment 'LANG=C'.*shell=true/);
    expect(() => commandArgv("   ")).toThrow("The command is empty");
  });

  it("takes quoted and escaped shell characters as plain text", () => {
    expect(commandArgv(`echo '~' "a|b" \\~ '*' 'x;y' '\`id\`'`)).toEqual([
      "echo",
      "~",
      "a|b",
      "~",
      "*",
      "x;y",
      "`id`",
    ]);
  });

  it("commandLine quotes any words so they are read back exactly", () => {
    const words = [
      "printf",
      "%s\n",
      "a b",
      "",
      "it's",
      "*.txt",
      "$HOME",
      "~/x",
      "a|b;c&d",
      "`id`",
      "#x",
      "é\t\n",
    ];
    expect(commandArgv(commandLine(words))).toEqual(words);
    expect(commandLine(["ls", "-l", "/etc/nginx"])).toBe("ls -l /etc/nginx");
  });
});

describe("the run action", () => {
  it("runs an argument vector: exit code, stdout, stderr, success", async () => {
    const answer = await run({ command: `sh -c 'echo out; echo err >&2; exit 3'` });
    expect(answer).toEqual({
      statuscode: 0,
      statusmsg: "OK",
      data: { stdout: "out\n", stderr: "err\n", exitcode: 3, success: false, truncated: false },
    });
    const ok = await run({ command: "printf '%s|' '$HOME' 'a;b'" });
    expect(ok.data).toMatchObject({ stdout: "$HOME|a;b|", exitcode: 0, success: true });
  });

  it("runs through /bin/sh -c only when asked, and refuses that where allow_shell is false", async () => {
    const piped = await run({ command: "echo one two | wc -w", shell: true });
    expect(piped.data).toMatchObject({ stdout: "2\n", exitcode: 0, success: true });
    const refused = await run({ command: "echo one two | wc -w" });
    expect(refused.statuscode).toBe(4);
    expect(refused.statusmsg).toMatch(/the shell operator '\|'.*shell=true/);
    const off = await run({ command: "true", shell: true }, { allow_shell: "false" });
    expect(off).toMatchObject({
      statuscode: 1,
      statusmsg: "Commands may not run through a shell here (plugin.shell.allow_shell = false)",
    });
  });

  it("runs in / with none of the daemon's environment", async () => {
    process.env.PHOBOS_SHELL_TEST_SECRET = "do-not-leak";
    try {
      const answer = await run({ command: "sh -c 'pwd; env'" });
      const lines = String(answer.data.stdout).split("\n");
      expect(lines[0]).toBe("/");
      expect(answer.data.stdout).not.toContain("do-not-leak");
      expect(lines).toContain(`USER=${userInfo().username}`);
      expect(lines).toContain("LC_ALL=C");
    } finally {
      delete process.env.PHOBOS_SHELL_TEST_SECRET;
    }
  });

  it("a missing command is an error naming it", async () => {
    const answer = await run({ command: "/nonexistent/tool --x" });
    expect(answer).toMatchObject({
      statuscode: 1,
      statusmsg: "Cannot run /nonexistent/tool: no such command",
    });
  });

  it("kills the command and everything it started when its timeout passes", async () => {
    const pidFile = join(work, "sleeper.pid");
    const answer = await run({
      command: `sleep 300 & echo $! > ${pidFile}; wait`,
      shell: true,
      timeout: rubyFloat(1),
    });
    expect(answer.statuscode).toBe(1);
    expect(answer.statusmsg).toBe(
      `sleep 300 & echo $! > ${pidFile}; wait did not finish within 1s and was killed`,
    );
    expect(answer.data).toMatchObject({ success: false, exitcode: null });
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    await processGone(pid);
  });

  it("refuses a timeout longer than the node allows, or a negative one", async () => {
    const long = await run({ command: "true", timeout: rubyFloat(30) }, { timeout: "10" });
    expect(long).toMatchObject({
      statuscode: 1,
      statusmsg: "timeout 30 is longer than this node allows (plugin.shell.timeout = 10)",
    });
    const negative = await run({ command: "true", timeout: rubyFloat(-1) });
    expect(negative).toMatchObject({ statuscode: 4, statusmsg: "timeout -1.0 is not a number of seconds" });
  });

  it("keeps at most max_output bytes of each stream and says so, the command running to its end", async () => {
    const answer = await run(
      { command: "head -c 100000 /dev/zero | tr '\\0' a; echo done >&2", shell: true },
      { max_output: "1000" },
    );
    expect(answer.data).toMatchObject({
      stdout: "a".repeat(1000),
      stderr: "done\n",
      truncated: true,
      exitcode: 0,
    });
  });

  it("runs as the configured user, without root's groups", async () => {
    const answer = await run({ command: "sh -c 'id -un; id -G; echo $HOME'" }, { user: "nobody" });
    const [name, groups, home] = String(answer.data.stdout).split("\n");
    expect(name).toBe("nobody");
    expect(groups?.split(" ")).not.toContain("0");
    expect(home).toBe("/nonexistent");
  });

  it("a request's user must be the configured one or allowed", async () => {
    const refused = await run({ command: "id -un", user: "daemon" }, { user: "nobody" });
    expect(refused).toMatchObject({
      statuscode: 1,
      statusmsg:
        "Running commands as 'daemon' is not allowed here: commands run as 'nobody' (plugin.shell.allowed_users)",
    });
    const allowed = await run(
      { command: "id -un", user: "daemon" },
      { user: "nobody", allowed_users: "daemon, bin" },
    );
    expect(allowed.data.stdout).toBe("daemon\n");
    const missing = await run(
      { command: "id -un", user: "no-such-user-here" },
      { allowed_users: "no-such-user-here" },
    );
    expect(missing).toMatchObject({
      statuscode: 1,
      statusmsg: "No such user 'no-such-user-here' on this node",
    });
  });
});

describe("activation and settings", () => {
  it("is off unless plugin.shell.activate_agent says otherwise", async () => {
    for (const [settings, expected] of [
      [{}, false],
      [{ activate_agent: "0" }, false],
      [{ activate_agent: "1" }, true],
      [{ activate_agent: "true" }, true],
    ] as const) {
      const plugin = await openPlugin({ definition: shellAgent, settings }, "server");
      try {
        expect(await shellAgent.activate?.(plugin.ctx)).toBe(expected);
      } finally {
        plugin.close();
      }
    }
    const bad = await openPlugin(
      { definition: shellAgent, settings: { activate_agent: "perhaps" } },
      "server",
    );
    try {
      expect(() => shellAgent.activate?.(bad.ctx)).toThrow(
        /plugin\.shell\.activate_agent: 'perhaps' is not a boolean/,
      );
    } finally {
      bad.close();
    }
  });

  it("a bad setting stops the agent with the key named", async () => {
    await expect(
      openPlugin({ definition: shellAgent, settings: { timeout: "500" } }, "server"),
    ).rejects.toThrow(
      `plugin.shell.timeout: 500 is not a timeout in seconds above 0 and at most ${MAX_TIMEOUT_S}`,
    );
    await expect(
      openPlugin({ definition: shellAgent, settings: { max_output: "lots" } }, "server"),
    ).rejects.toThrow("plugin.shell.max_output: 'lots' is not a whole number");
  });
});

describe("mco shell", () => {
  it("takes `run` or none, refuses Choria's job subcommands, quotes words unless --shell", () => {
    expect(parseShellArguments(["run", "ls", "-l", "a b"], false)).toBe("ls -l 'a b'");
    expect(parseShellArguments(["uptime"], false)).toBe("uptime");
    expect(parseShellArguments(["run", "ps aux | grep x"], true)).toBe("ps aux | grep x");
    expect(parseShellArguments(["run", "kill", "1"], false)).toBe("kill 1");
    expect(() => parseShellArguments(["kill", "1"], false)).toThrow(
      "Background jobs ('mco shell kill') are not supported by this shell agent, only run; to run a command named kill, write 'mco shell run kill …'",
    );
    expect(() => parseShellArguments(["run"], false)).toThrow("Please specify a command to run");
  });

  it("lays out a node's exit code, stdout and stderr, or its error", () => {
    const result = (data: Record<string, unknown>, statuscode = 0, statusmsg = "OK") =>
      ({ sender: "web1", statuscode, statusmsg, data }) as RpcResult;
    expect(nodeBlock(result({ stdout: "a\nb", stderr: "", exitcode: 0, truncated: false }))).toBe(
      "web1:\na\nb\nexitcode: 0\n\n",
    );
    expect(nodeBlock(result({ stdout: "", stderr: "oops\n", exitcode: 2, truncated: true }))).toBe(
      "web1:\n    STDERR:\noops\nexitcode: 2\n(output cut at the node's plugin.shell.max_output)\n\n",
    );
    expect(nodeBlock(result({}, 1, "sleep 9 did not finish within 1s and was killed"))).toBe(
      "web1: ERROR: sleep 9 did not finish within 1s and was killed\n\n",
    );
  });

  it("the Ruby DDL that Ruby clients use says what ddl.ts says", async () => {
    const text = await readFile(fileURLToPath(new URL("./__fixtures__/shell.ddl", import.meta.url)), "utf8");
    expect(JSON.parse(JSON.stringify(parseRubyDdl(text)))).toEqual(JSON.parse(JSON.stringify(ddl)));
  });
});

describeAgentPlugin({
  definition: shellAgent,
  ddl,
  samples: {
    run: [
      { data: { command: "true" }, statuscode: 0 },
      { data: { command: "echo a | cat" }, statuscode: 4 },
    ],
  },
});
