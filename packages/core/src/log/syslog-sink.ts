import type { ChildProcessByStdio } from "node:child_process";
import type { Writable } from "node:stream";
import type { LogLevel, LogSink } from "./logger.js";

/** syslog(3)'s facility codes by the names `logfacility` takes (Ruby's `Syslog::LOG_<NAME>`). */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** MCollective's Syslog_logger#valid_levels: warn is warning, error err, fatal crit. */
const SEVERITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3, fatal: 2 };

export const DEFAULT_SYSLOG_SOCKET = "/dev/log";

export interface SyslogSinkOptions {
  /** A key of {@link SYSLOG_FACILITIES}. */
  facility: string;
  /** The program name in each record (Ruby: `File.basename($0)`). */
  ident: string;
  /** The local syslog socket, datagram or stream. */
  socket?: string;
}

/**
 * `logger_type = syslog`: records at `logfacility` with the level mapped as
 * MCollective mapped it, `ident[pid]: tag message`, as Ruby's Syslog.open
 * (LOG_PID) wrote them. Node cannot open the datagram socket syslog daemons
 * listen on without a native addon, so the records go through one
 * long-lived util-linux logger(1) that reads them on stdin, each line with
 * its own priority (--prio-prefix), and writes them to the socket, datagram
 * or stream, as syslog(3) does. If logger cannot run, lines go to stderr
 * with one line saying why: a daemon never stops over its log.
 */
export interface SyslogSink extends LogSink {
  /** Ends logger(1)'s input: it writes what it has and exits. Later lines go to stderr. */
  close(): void;
}

export function syslogSink(level: LogLevel, options: SyslogSinkOptions): SyslogSink {
  const facility = SYSLOG_FACILITIES[options.facility];
  if (facility === undefined) throw new TypeError(`unknown syslog facility '${options.facility}'`);
  const socket = options.socket ?? DEFAULT_SYSLOG_SOCKET;
  // Loaded here, so a process that logs elsewhere never loads child_process for it.
  const { spawn } = process.getBuiltinModule("node:child_process");
  let broken: string | undefined;
  let closed = false;
  const fail = (why: string) => {
    if (broken !== undefined) return;
    broken = why;
    process.stderr.write(`syslog logging to ${socket} failed (${why}): log lines go to stderr from now on\n`);
  };
  let child: ChildProcessByStdio<Writable, null, null> | undefined;
  try {
    child = spawn(
      "logger",
      [
        "--prio-prefix",
        `--id=${process.pid}`,
        `--tag=${options.ident}`,
        `--socket=${socket}`,
        "--socket-errors=on",
      ],
      { stdio: ["pipe", "ignore", "inherit"] },
    );
    child.on("error", (err) => fail(`cannot run logger(1): ${err.message}`));
    child.on("exit", (code, signal) => {
      if (!closed) fail(`logger(1) exited with ${signal ?? `code ${code}`}`);
    });
    child.stdin.on("error", (err) => fail(`writing to logger(1): ${err.message}`));
    // Neither the helper nor its pipe may keep a finished mco or daemon alive.
    child.unref();
    (child.stdin as Writable & { unref?: () => void }).unref?.();
  } catch (err) {
    fail(`cannot run logger(1): ${(err as Error).message}`);
  }
  return {
    level,
    write(lvl, tag, message) {
      const text = tag ? `${tag} ${message}` : message;
      if (broken !== undefined || child === undefined) {
        process.stderr.write(`${lvl}: ${text}\n`);
        return;
      }
      const priority = `<${facility * 8 + SEVERITY[lvl]}>`;
      child.stdin.write(
        `${text
          .split("\n")
          .map((line) => `${priority}${line}`)
          .join("\n")}\n`,
      );
    },
    close() {
      if (closed) return;
      closed = true;
      broken ??= "closed";
      child?.stdin.end();
    },
  };
}
