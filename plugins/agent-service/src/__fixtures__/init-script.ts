/**
 * A sysvinit service of the test's own: `/etc/init.d/phobos-test-<random>`,
 * an LSB script whose daemon is a `sleep` that start-stop-daemon puts in
 * the background with a pid file in the test's temp directory. Calls are
 * serialised with flock, so several mcollectived on this one host may
 * restart it at once. `dispose` stops it and removes every file.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const INIT_DIR = "/etc/init.d";

export interface TestService {
  readonly name: string;
  readonly script: string;
  /** The daemon's pid while it runs. */
  pid(): Promise<number | undefined>;
  dispose(): Promise<void>;
}

async function need(tool: string): Promise<string> {
  try {
    return (await exec("sh", ["-c", `command -v ${tool}`])).stdout.trim();
  } catch {
    throw new Error(
      `${tool} is missing: the service tests need sysvinit's tools (sh tooling/scripts/provision.sh)`,
    );
  }
}

/** With `failStart`, `start` fails the way a broken service does: a message on stderr, exit 1. */
export async function installTestService(options: { failStart?: boolean } = {}): Promise<TestService> {
  for (const tool of ["start-stop-daemon", "flock", "service"]) await need(tool);
  const sleep = await realpath(await need("sleep"));
  const name = `phobos-test-${randomBytes(4).toString("hex")}`;
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const pidFile = join(dir, `${name}.pid`);
  const script = join(INIT_DIR, name);
  const start = options.failStart
    ? `echo "${name}: cannot start, /etc/${name}.conf is missing" >&2; return 1`
    : `start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PIDFILE" --exec "$DAEMON" -- 1000000 </dev/null >/dev/null 2>&1 9>&-`;
  await writeFile(
    script,
    `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:
# Required-Stop:
# Default-Start:
# Default-Stop:
# Short-Description: a service of @phobos/agent-service's tests
### END INIT INFO
PIDFILE=${pidFile}
DAEMON=${sleep}
exec 9>"${join(dir, "lock")}"
flock 9

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

do_start() {
  running && return 0
  ${start}
}

do_stop() {
  if running; then
    start-stop-daemon --stop --quiet --retry TERM/5/KILL/5 --pidfile "$PIDFILE" 9>&- || return 1
  fi
  rm -f "$PIDFILE"
}

case "$1" in
  start) do_start ;;
  stop) do_stop ;;
  restart) do_stop && do_start ;;
  status)
    if running; then echo "${name} is running"; exit 0; fi
    echo "${name} is not running"; exit 3 ;;
  *) echo "Usage: $0 {start|stop|restart|status}" >&2; exit 2 ;;
esac
`,
  );
  await chmod(script, 0o755);

  const pid = async () => {
    try {
      const value = Number.parseInt(await readFile(pidFile, "utf8"), 10);
      process.kill(value, 0);
      return value;
    } catch {
      return undefined;
    }
  };
  return {
    name,
    script,
    pid,
    async dispose() {
      if (existsSync(script)) await exec(script, ["stop"]).catch(() => undefined);
      const left = await pid();
      if (left !== undefined) process.kill(left, "SIGKILL");
      await rm(script, { force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
