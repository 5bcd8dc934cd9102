import { appendFileSync, renameSync, statSync, unlinkSync } from "node:fs";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "fatal"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What plugins and engines log through; `tag` names who is speaking. */
export interface Logger {
  readonly tag: string;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  fatal(message: string): void;
  enabled(level: LogLevel): boolean;
  /** A logger that prefixes `tag` (e.g. a plugin's `agent/rpcutil`). */
  child(tag: string): Logger;
}

/** Where log lines end up; several loggers share one sink. */
export interface LogSink {
  level: LogLevel;
  write(level: LogLevel, tag: string, message: string): void;
  reopen?(): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function createLogger(sink: LogSink, tag = ""): Logger {
  const at = (level: LogLevel) => LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(sink.level);
  const write = (level: LogLevel) => (message: string) => {
    if (at(level)) sink.write(level, tag, message);
  };
  return {
    tag,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    fatal: write("fatal"),
    enabled: at,
    child: (sub) => createLogger(sink, tag ? `${tag} ${sub}` : sub),
  };
}

/** USR2 in mcollectived cycles through the levels, as MCollective did. */
export function nextLogLevel(level: LogLevel): LogLevel {
  return LOG_LEVELS[(LOG_LEVELS.indexOf(level) + 1) % LOG_LEVELS.length] ?? "debug";
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** MCollective's console logger: `info 2026/11/24 14:42:33: tag message` on stderr. */
export function consoleSink(
  level: LogLevel,
  options: { color?: boolean; stream?: NodeJS.WritableStream } = {},
): LogSink {
  const stream = options.stream ?? process.stderr;
  const colors: Partial<Record<LogLevel, string>> = {
    error: "\x1b[31m",
    fatal: "\x1b[31m",
    warn: "\x1b[33m",
    info: "\x1b[32m",
  };
  return {
    level,
    write(lvl, tag, message) {
      const d = new Date();
      const time = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      const name = options.color && colors[lvl] ? `${colors[lvl]}${lvl}\x1b[0m` : lvl;
      stream.write(`${name} ${time}: ${tag ? `${tag} ` : ""}${message}\n`);
    },
  };
}

function rubyLoggerTime(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const micro = pad(d.getMilliseconds(), 3) + "000";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${micro}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * MCollective's file logger (Ruby's Logger format, so existing log tooling
 * keeps working): `I, [2026-11-24T14:42:33.123000+00:00  #21651]  INFO -- : tag message`,
 * rotated at `max_log_size` bytes keeping `keeplogs` old files.
 */
export function fileSink(
  path: string,
  level: LogLevel,
  options: { keeplogs?: number; maxLogSize?: number } = {},
): LogSink {
  const keep = options.keeplogs ?? 5;
  const max = options.maxLogSize ?? 2097152;
  let size = -1;
  const rotate = () => {
    for (let i = keep - 1; i >= 0; i--) {
      const from = i === 0 ? path : `${path}.${i - 1}`;
      try {
        if (i === keep - 1) unlinkSync(`${path}.${i}`);
      } catch {
        // nothing to drop yet
      }
      try {
        renameSync(from, `${path}.${i}`);
      } catch {
        // that generation does not exist yet
      }
    }
    size = 0;
  };
  return {
    level,
    write(lvl, tag, message) {
      const line = `${lvl[0]?.toUpperCase()}, [${rubyLoggerTime(new Date())}  #${process.pid}] ${lvl.toUpperCase().padStart(5)} -- : ${tag ? `${tag} ` : ""}${message}\n`;
      try {
        if (size < 0) {
          try {
            size = statSync(path).size;
          } catch {
            size = 0;
          }
        }
        if (keep > 0 && size + line.length > max) rotate();
        appendFileSync(path, line);
        size += Buffer.byteLength(line);
      } catch (err) {
        // A log we cannot write must not take the daemon down.
        process.stderr.write(`${lvl}: ${message} (log file ${path}: ${(err as Error).message})\n`);
      }
    },
    reopen() {
      size = -1;
    },
  };
}

/** Keeps lines in memory: for tests and for showing a plugin's load log. */
export function memorySink(level: LogLevel = "debug"): LogSink & {
  lines: { level: LogLevel; tag: string; message: string }[];
} {
  const lines: { level: LogLevel; tag: string; message: string }[] = [];
  return {
    level,
    lines,
    write(lvl, tag, message) {
      lines.push({ level: lvl, tag, message });
    },
  };
}
