/**
 * The two line formats of the logfile audit plugin. `logfile` is Ruby
 * MCollective's (audit/logfile.rb), character for character:
 *
 *     [2026-11-24 16:20:44 UTC] reqid=5f0e…: reqtime=1795531612 caller=cert=alice@client1 agent=package action=install data={:package=>"zsh", :process_results=>true}
 *
 * with the data as Ruby's `pretty_print_inspect` writes it. Requests the
 * authorization plugin refused (MCollective did not audit those) end with
 * ` authorization=denied`. `json` writes one JSON object a line instead.
 */
import { type AuditRecord, fromNatural, inspect, RubyString, type RubyValue } from "@phobos/core";

const pad = (n: number) => String(n).padStart(2, "0");

/** `Time#utc.strftime("%Y-%m-%d %H:%M:%S UTC")`. */
export function rubyUtcTime(time: Date): string {
  return `${time.getUTCFullYear()}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())} ${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} UTC`;
}

/**
 * Ruby's `pretty_print_inspect` (PP.singleline_pp): `inspect`, except that
 * a String of several lines prints as its lines joined by ` + `
 * (`"a\n" + "b"`), inside Hashes and Arrays too.
 */
export function prettyPrintInspect(value: RubyValue): string {
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${prettyPrintInspect(k)}=>${prettyPrintInspect(v)}`).join(", ")}}`;
  }
  if (Array.isArray(value)) return `[${value.map(prettyPrintInspect).join(", ")}]`;
  const text = typeof value === "string" ? value : value instanceof RubyString ? value.toString() : undefined;
  if (text !== undefined) {
    const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    if (lines.length > 1) {
      return lines
        .map((line) =>
          inspect(
            value instanceof RubyString ? new RubyString(Buffer.from(line, "utf8"), value.encoding) : line,
          ),
        )
        .join(" + ");
    }
  }
  return inspect(value);
}

export function logfileLine(record: AuditRecord): string {
  const reqtime = record.requestTime ?? Math.floor(record.time.getTime() / 1000);
  const data = prettyPrintInspect(fromNatural(record.data));
  const denied = record.authorization?.allowed === false ? " authorization=denied" : "";
  return `[${rubyUtcTime(record.time)}] reqid=${record.requestid}: reqtime=${reqtime} caller=${record.caller}@${record.sender} agent=${record.agent} action=${record.action} data=${data}${denied}\n`;
}

/** JSON for values the natural form may hold that JSON has no word for. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
  if (typeof value === "symbol") return Symbol.keyFor(value) ?? String(value);
  return value;
}

export function jsonLine(record: AuditRecord): string {
  const entry = {
    time: record.time.toISOString(),
    requestid: record.requestid,
    request_time: record.requestTime ?? null,
    caller: record.caller,
    sender: record.sender,
    agent: record.agent,
    action: record.action,
    data: record.data,
    authorized: record.authorization === undefined ? null : record.authorization.allowed,
    ...(record.authorization && !record.authorization.allowed ? { reason: record.authorization.reason } : {}),
  };
  return `${JSON.stringify(entry, replacer)}\n`;
}
