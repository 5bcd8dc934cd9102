/**
 * Node lists that come from outside the network (flatfile and stdin
 * discovery): each line one identity, and `-I` applied to the list as
 * MCollective's file-based discovery methods apply it (names exactly,
 * `/re/` as a Ruby regex).
 */
import { hasIdentity, UsageError } from "@phobos/core";

/** The identities MCollective accepts in a node list. */
export const IDENTITY_PATTERN = /^[\w.-]+$/;

/** One bad line of a node list, named by source and line number. */
export class NodeListError extends UsageError {
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${source}:${line}: ${detail}`);
  }
}

/**
 * The identities in a text node list: one per line, surrounding blanks
 * trimmed; empty lines and `#` comments skipped; anything else must look
 * like an identity or the whole list is refused.
 */
export function parseNodeList(text: string, source: string): string[] {
  const hosts: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const host = raw.trim();
    if (host === "" || host.startsWith("#")) return;
    if (!IDENTITY_PATTERN.test(host)) {
      throw new NodeListError(
        source,
        i + 1,
        `'${host}' is not an identity: identities can only match /^[\\w.-]+$/`,
      );
    }
    hosts.push(host);
  });
  return hosts;
}

/**
 * The hosts `-I` selects from a list: all of them without identity
 * filters, else those named or matching a `/regex/`, each once, in list
 * order for regexes and filter order for names.
 */
export function selectIdentities(hosts: readonly string[], identities: readonly string[]): string[] {
  if (identities.length === 0) return [...hosts];
  const selected: string[] = [];
  const add = (host: string) => {
    if (!selected.includes(host)) selected.push(host);
  };
  for (const wanted of identities) {
    if (wanted.startsWith("/")) {
      for (const host of hosts) if (hasIdentity(host, wanted)) add(host);
    } else if (hosts.includes(wanted)) {
      add(wanted);
    }
  }
  return selected;
}
