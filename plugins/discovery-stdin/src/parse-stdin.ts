import { parseNodeList } from "@phobos/client";
import { UsageError } from "@phobos/core";

export type StdinFormat = "auto" | "text" | "json";

/**
 * The `sender` (mco rpc --json) or `certname` (PuppetDB) of each entry of
 * a JSON array, each once (`RPC::Helpers.extract_hosts_from_json`).
 */
export function hostsFromJson(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`data piped on STDIN is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError("JSON hosts list is not an array");
  const hosts: string[] = [];
  parsed.forEach((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new UsageError(`JSON host list is not an array of Hashes (entry ${i + 1})`);
    }
    const record = entry as Record<string, unknown>;
    const host = record.sender ?? record.certname;
    if (host === undefined)
      throw new UsageError(`JSON host list does not have senders in it (entry ${i + 1})`);
    if (typeof host !== "string")
      throw new UsageError(`JSON host list entry ${i + 1} has a sender that is not a string`);
    if (!hosts.includes(host)) hosts.push(host);
  });
  return hosts;
}

/**
 * The identities piped to mco: `--do json`, `--do text` (one per line,
 * blanks and `#` comments skipped), or `auto` (JSON when it starts with
 * `[`). Every identity must look like one.
 */
export function parseStdinHosts(text: string, format: string = "auto"): string[] {
  if (/^\s*$/.test(text)) {
    throw new UsageError("data piped on STDIN contained only whitespace - could not discover hosts from it.");
  }
  let type = format.toLowerCase();
  if (type === "auto") type = /^\s*\[/.test(text) ? "json" : "text";
  if (type === "text") return parseNodeList(text, "STDIN");
  if (type !== "json") {
    throw new UsageError(`stdin discovery plugin only knows the types auto/text/json, not "${format}"`);
  }
  const hosts = hostsFromJson(text);
  hosts.forEach((host, i) => {
    if (!/^[\w.-]+$/.test(host)) {
      throw new UsageError(
        `STDIN: JSON entry ${i + 1}: '${host}' is not an identity: identities can only match /^[\\w.-]+$/`,
      );
    }
  });
  return hosts;
}
