/**
 * Every key MCollective 2.12 documents that Phobos parses does something or
 * is refused: the ones that would do nothing, or only with another key,
 * stop start-up with file:line and what to do.
 */
import { ConfigError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { configFromText } from "./config.js";

const REFUSALS: Array<{ text: string; line: number; key: string; message: RegExp }> = [
  {
    text: "ssl_cipher = aes-256-cbc",
    line: 1,
    key: "ssl_cipher",
    message: /aes_security plugin, which Phobos does not have .*not a TLS setting; remove the line/,
  },
  {
    text: "logger_type = syslog\nlogfacility = daemon   # = user",
    line: 2,
    key: "logfacility",
    message: /'daemon {3}# = user' is not a syslog facility: use one of kern, user, mail, daemon/,
  },
  {
    text: "logfacility = nosuch\nlogger_type = syslog",
    line: 1,
    key: "logfacility",
    message: /'nosuch' is not a syslog facility/,
  },
  {
    text: "logger_type = file\nplugin.syslog.socket = /run/log.sock",
    line: 2,
    key: "plugin.syslog.socket",
    message: /has no effect with logger_type = file: set logger_type = syslog or remove the line/,
  },
  {
    text: "logger_type = syslog\nplugin.syslog.sokcet = /run/log.sock",
    line: 2,
    key: "plugin.syslog.sokcet",
    message: /is not a syslog setting: the one there is is plugin.syslog.socket/,
  },
];

describe("keys that would do nothing", () => {
  it.each(REFUSALS)("$key in `$text` is a ConfigError at line $line", ({ text, line, key, message }) => {
    let error: unknown;
    try {
      configFromText(text, "/etc/mcollective/server.cfg");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`/etc/mcollective/server.cfg:${line}`);
    expect((error as Error).message).toContain(key);
  });

  it("accepts logfacility beside a file logger (server.cfg templates set it so), and any case with syslog", () => {
    expect(configFromText("logfacility = daemon   # = user").logfacility).toBe("daemon   # = user");
    const c = configFromText(
      "logger_type = syslog\nlogfacility = LOCAL3\nplugin.syslog.socket = /run/x.sock",
    );
    expect(c.loggerType).toBe("syslog");
    expect(c.logfacility).toBe("LOCAL3");
  });
});
