/**
 * Virtual node names come from the config's identity: `identity = node` and
 * `--count 3` give node1, node2, node3, so `mco rpc -I node1` reaches the
 * first one exactly as it would a host called node1.
 */
export function nodeIdentity(base: string, n: number): string {
  return `${base}${n}`;
}

export function nodeIdentities(base: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => nodeIdentity(base, first + i));
}
