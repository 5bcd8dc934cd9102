/**
 * Both mco binaries against one mixed fleet: Ruby and Phobos daemons in an
 * isolated RabbitMQ vhost (tooling/interop), the same client.cfg, the same
 * arguments. `normalize` removes what legitimately differs between two runs
 * (timings, request ids, reply order, live counters) so the rest can be
 * compared byte for byte.
 */
import { type RubyFleet, type RubyFleetNode, type RubyMcoResult, startRubyFleet } from "@phobos/interop";

export type Implementation = "ruby" | "phobos";

const facts = (i: number, os: string, role: string, dc: string) => ({
  mcollective: 1,
  fqdn: `node${i}.example.net`,
  hostname: `node${i}`,
  operatingsystem: os,
  osfamily: os === "RedHat" ? "RedHat" : "Debian",
  role,
  datacenter: dc,
  node_index: i,
});

/** Four nodes as wire/cli-outputs had them; two Ruby daemons, two Phobos ones. */
export const MIXED_NODES: readonly RubyFleetNode[] = [
  {
    identity: "node1",
    implementation: "ruby",
    facts: facts(1, "Debian", "web", "dc1"),
    classes: ["base", "role::web", "os::debian"],
  },
  {
    identity: "node2",
    implementation: "ruby",
    facts: facts(2, "RedHat", "db", "dc2"),
    classes: ["base", "role::db", "os::redhat"],
  },
  {
    identity: "node3",
    implementation: "phobos",
    facts: facts(3, "Ubuntu", "app", "dc1"),
    classes: ["base", "role::app", "os::ubuntu"],
  },
  {
    identity: "node4",
    implementation: "phobos",
    facts: facts(4, "Debian", "cache", "dc2"),
    classes: ["base", "role::cache", "os::debian"],
  },
];

export function startMixedFleet(prefix: string, nodes = MIXED_NODES): Promise<RubyFleet> {
  return startRubyFleet({ vhostPrefix: prefix, nodes });
}

export interface Run extends RubyMcoResult {
  readonly implementation: Implementation;
}

export async function run(
  fleet: RubyFleet,
  implementation: Implementation,
  args: readonly string[],
  options: { input?: string; configFile?: string; env?: Record<string, string | undefined> } = {},
): Promise<Run> {
  const result = await fleet.mco(args, {
    implementation,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return { ...result, implementation };
}

/** The same command through Ruby's mco and Phobos's, at the same time. */
export async function both(
  fleet: RubyFleet,
  args: readonly string[],
  options: { input?: string; configFile?: string } = {},
): Promise<{ ruby: Run; phobos: Run }> {
  const [ruby, phobos] = await Promise.all([
    run(fleet, "ruby", args, options),
    run(fleet, "phobos", args, options),
  ]);
  return { ruby, phobos };
}

/**
 * Messages each daemon has received (rpcutil daemon_stats' `total`), asked
 * with one direct request per node: a test observes what a command sent by
 * how these counters move, never by how long the command took.
 */
export async function messagesReceived(
  fleet: RubyFleet,
  identities: readonly string[],
): Promise<Record<string, number>> {
  const args = ["rpc", "rpcutil", "daemon_stats", ...identities.flatMap((id) => ["-I", id]), "-j"];
  const r = await run(fleet, "phobos", args);
  if (r.code !== 0) throw new Error(`daemon_stats failed (exit ${r.code}): ${r.stderr}`);
  const replies = JSON.parse(r.stdout) as { sender: string; data: { total: number } }[];
  return Object.fromEntries(replies.map((reply) => [reply.sender, reply.data.total]));
}

const NODE_LINE = /^node\d+\b/;

/**
 * Output with timings, ids and reply order made comparable: per-node blocks
 * (a node line and what follows up to its blank line) and single node lines
 * are sorted within each run of them, as are `x = N` summary lines.
 */
export function normalize(text: string, options: { counters?: boolean } = {}): string {
  let out = text
    .replace(/time=\d+\.\d\d ms/g, "time=T ms")
    .replace(/ in \d+\.\d\d ms/g, " in T ms")
    .replace(/(max|min|avg): \d+\.\d\d/g, "$1: T")
    .replace(/\b[0-9a-f]{32}\b/g, "REQID")
    .replace(/Timestamp: \d+/g, "Timestamp: T")
    .replace(/^( +)(Start Time|Discovery Time|Agent Time|Total Time): .*ms$/gm, "$1$2: Tms")
    .replace(/^( {6}Start Time): .*$/gm, "$1: T");
  if (options.counters) {
    // Live daemon counters and CPU times change between two runs.
    out = out
      .replace(
        /(Messages|Filter|Filters|Replies|Sent|Filtered|Validated|Security|Expired|Time): [\d.]+( seconds)?$/gm,
        "$1: N$2",
      )
      .replace(/"#<Thread:[^"]*>"/g, '"#<Thread>"')
      // A Ruby daemon starts and ends threads as it works: keep the list's layout, not its length.
      .replace(/(\n +"#<Thread>",)+(?=\n +"#<Thread>"\])/g, "")
      .replace(/:(utime|stime)=>[\d.e-]+/g, ":$1=>N");
  }
  const lines = out.split("\n");
  const chunks: { sortable: boolean; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (NODE_LINE.test(line)) {
      const block = [line];
      // A node line with an empty status column starts a multi-line block.
      if (/\s$/.test(line) || lines[i + 1]?.startsWith("   ")) {
        while (i + 1 < lines.length && lines[i + 1] !== "") block.push(lines[++i] as string);
        if (i + 1 < lines.length) block.push(lines[++i] as string);
      }
      chunks.push({ sortable: true, text: block.join("\n") });
    } else if (/^\s+\S.* = \d+$/.test(line)) {
      chunks.push({ sortable: true, text: line });
    } else {
      chunks.push({ sortable: false, text: line });
    }
  }
  const result: string[] = [];
  let run: string[] = [];
  const flush = () => {
    result.push(...run.sort());
    run = [];
  };
  for (const chunk of chunks) {
    if (chunk.sortable) run.push(chunk.text);
    else {
      flush();
      result.push(chunk.text);
    }
  }
  flush();
  return result.join("\n");
}

/** `mco rpc … --json` output as data, in sender order. */
export function jsonBySender(text: string): unknown[] {
  const parsed = JSON.parse(text) as { sender: string }[];
  return parsed.sort((a, b) => (a.sender < b.sender ? -1 : 1));
}
