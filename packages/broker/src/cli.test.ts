import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseExposition, sampleValue } from "@phobos/metrics";
import { afterEach, describe, expect, it } from "vitest";
import { mergeOptions, parseCliArgs, UsageError } from "./cli.js";
import { RawClient } from "./test-support/raw-client.js";

const BIN = fileURLToPath(new URL("../bin/phobos-broker", import.meta.url));
const DIST_CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("parseCliArgs", () => {
  it("maps flags to broker options", () => {
    expect(
      parseCliArgs([
        "--bind",
        "0.0.0.0",
        "--port",
        "61614",
        "--user",
        "a:b",
        "--user",
        "c:d:e",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
        "--tls-ca",
        "ca.pem",
        "--verbose",
        "--metrics-port",
        "9464",
        "--metrics-bind",
        "::1",
      ]),
    ).toEqual({
      help: false,
      verbose: true,
      config: undefined,
      metrics: { host: "::1", port: 9464 },
      options: {
        host: "0.0.0.0",
        port: 61614,
        users: [
          { name: "a", password: "b" },
          { name: "c", password: "d:e" },
        ],
        tls: { certFile: "c.pem", keyFile: "k.pem", caFile: "ca.pem", verifyClient: true },
      },
    });
    expect(parseCliArgs([]).options).toEqual({});
    expect(parseCliArgs([]).metrics).toBeUndefined();
  });

  it.each([
    [["--port", "http"], "--port 'http' is not a port number"],
    [["--port", "70000"], "--port '70000' is not a port number"],
    [["--user", "nobody"], "--user 'nobody' is not NAME:PASSWORD"],
    [["--tls-key", "k.pem"], "--tls-key needs --tls-cert"],
    [["--tls-cert", "c.pem"], "--tls-cert needs --tls-key"],
    [["--metrics-port", "x"], "--metrics-port 'x' is not a port number"],
    [["--metrics-bind", "0.0.0.0"], "--metrics-bind needs --metrics-port"],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
    [["stray"], "stray"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it("lets flags override the config file, users from both", () => {
    expect(
      mergeOptions(
        {
          port: 1,
          host: "0.0.0.0",
          users: [
            { name: "a", password: "file" },
            { name: "b", password: "b" },
          ],
        },
        { port: 2, users: [{ name: "a", password: "flag" }] },
      ),
    ).toEqual({
      port: 2,
      host: "0.0.0.0",
      users: [
        { name: "a", password: "flag" },
        { name: "b", password: "b" },
      ],
    });
  });
});

describe("bin/phobos-broker", () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  function run(args: string[]) {
    if (!existsSync(DIST_CLI)) {
      throw new Error(
        "bin/phobos-broker runs the build: run `npx tsc -p tsconfig.build.json` (or `pnpm build`) first",
      );
    }
    const child = spawn(process.execPath, [BIN, ...args], { stdio: "pipe" });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const line = new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0] ?? "");
      });
      child.on("close", () => reject(new Error(`exited before printing: ${stderr}`)));
    });
    // Tests that expect an early exit never await the line.
    line.catch(() => {});
    return { child, exited, line, output: () => ({ stdout, stderr }) };
  }

  it("prints one line when listening, serves STOMP, and stops cleanly on SIGTERM", async () => {
    const broker = run(["--port", "0", "--user", "mco:secret"]);
    const line = await broker.line;
    expect(line).toMatch(/^phobos-broker listening on stomp:\/\/127\.0\.0\.1:\d+ \(users: mco\)$/);
    const port = Number(/:(\d+) /.exec(line)?.[1]);
    const client = await RawClient.open(port);
    await client.connect({ login: "mco", passcode: "secret" });
    broker.child.kill("SIGTERM");
    expect(await broker.exited).toBe(0);
    await client.closed;
  });

  it("serves its metrics on --metrics-port, GET /metrics only", async () => {
    const broker = run(["--port", "0", "--metrics-port", "0"]);
    const port = Number(/:(\d+) /.exec(await broker.line)?.[1]);
    const client = await RawClient.open(port);
    await client.connect();
    let url = "";
    for (let i = 0; i < 200 && !url; i++) {
      url = /metrics on (\S+)/.exec(broker.output().stdout)?.[1] ?? "";
      if (!url) await new Promise((r) => setTimeout(r, 25));
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const samples = parseExposition(await (await fetch(url)).text());
    expect(sampleValue(samples, "phobos_broker_authenticated_connections")).toBe(1);
    expect(sampleValue(samples, "phobos_broker_connections_total")).toBe(1);
    expect((await fetch(url, { method: "POST" })).status).toBe(405);
    expect((await fetch(url.replace("/metrics", "/"))).status).toBe(404);
    broker.child.kill("SIGTERM");
    expect(await broker.exited).toBe(0);
    await client.closed;
  });

  it("says when it falls back to guest:guest, and stops on SIGINT", async () => {
    const broker = run(["--port", "0"]);
    expect(await broker.line).toContain("(no --user given, accepting guest:guest)");
    broker.child.kill("SIGINT");
    expect(await broker.exited).toBe(0);
  });

  it("reads a config file, and names the bad line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phobos-broker-cli-"));
    dirs.push(dir);
    const good = join(dir, "good.cfg");
    await writeFile(good, "port = 0\nuser = cfg:pw\nvhost = /mcollective\n");
    const broker = run(["--config", good]);
    expect(await broker.line).toContain("(users: cfg)");
    broker.child.kill("SIGTERM");
    expect(await broker.exited).toBe(0);

    const bad = join(dir, "bad.cfg");
    await writeFile(bad, "port = 0\nmax_frame_size = huge\n");
    const failed = run(["--config", bad]);
    expect(await failed.exited).toBe(1);
    expect(failed.output().stderr).toBe(
      `phobos-broker: ${bad}:2: max_frame_size: 'huge' is not a size (bytes, or with a k, m or g suffix)\n`,
    );
  });

  it("reports usage errors in one line with exit status 2, and --help with 0", async () => {
    const wrong = run(["--port", "nope"]);
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toEqual({
      stdout: "",
      stderr: "phobos-broker: --port 'nope' is not a port number (see --help)\n",
    });

    const help = run(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.output().stdout).toContain("Usage: phobos-broker [options]");
  });

  it("exits 1 with the reason when the port is taken", async () => {
    const first = run(["--port", "0"]);
    const port = /:(\d+) /.exec(await first.line)?.[1] ?? "";
    const second = run(["--port", port]);
    expect(await second.exited).toBe(1);
    expect(second.output().stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/);
  });
});
