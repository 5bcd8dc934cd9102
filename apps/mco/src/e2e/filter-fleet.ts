/**
 * The fleet and the filters of the client's acceptance table
 * (filter-table.e2e.test.ts), shared with the tests that compare other
 * discovery methods with it (registry-discovery.e2e.test.ts).
 */
import { fileURLToPath } from "node:url";
import type { RubyFleetNode } from "@phobos/interop";

export const ECHO_LIBDIR = fileURLToPath(new URL("./__fixtures__/echo-libdir", import.meta.url));

const OS = ["Debian", "RedHat", "Ubuntu", "CentOS", "Debian"] as const;
const ROLE = ["web", "db", "app", "cache", "web"] as const;

/** node1..node10: odd ones Ruby, even ones Phobos; the echo agent on 2, 3, 6 and 7. */
export const NODES: RubyFleetNode[] = Array.from({ length: 10 }, (_, n) => {
  const i = n + 1;
  const os = OS[n % 5] as string;
  const role = ROLE[n % 5] as string;
  const echo = [2, 3, 6, 7].includes(i);
  return {
    identity: `node${i}`,
    implementation: i % 2 === 1 ? "ruby" : "phobos",
    facts: {
      operatingsystem: os,
      osfamily: os === "RedHat" || os === "CentOS" ? "RedHat" : "Debian",
      role,
      datacenter: i <= 5 ? "dc1" : "dc2",
      node_index: i,
      memory_mb: i * 512,
      load: `${i}.5`,
      fqdn: `node${i}.${i % 3 === 0 ? "db" : "web"}.example.net`,
      ips: [`10.0.0.${i}`, `192.168.${i}.1`],
    },
    classes: ["base", `role::${role}`, `os::${os.toLowerCase()}`, ...(i % 4 === 0 ? ["monitoring"] : [])],
    ...(echo ? { extra: [`libdir = ${ECHO_LIBDIR}`], agents: ["discovery", "rpcutil", "echo"] } : {}),
  };
});

/** At least fifty filter combinations, each an argument list for `mco find`. */
export const FILTERS: string[][] = [
  [],
  ["-F", "osfamily=Debian"],
  ["-F", "osfamily=RedHat"],
  ["-F", "operatingsystem=/^(Ubu|Cen)/"],
  ["-F", "operatingsystem!=Debian"],
  ["-F", "node_index>5"],
  ["-F", "node_index>=5"],
  ["-F", "node_index<3"],
  ["-F", "node_index<=3"],
  ["-F", "node_index=>9"],
  ["-F", "node_index=<2"],
  ["-F", "memory_mb>2048"],
  ["-F", "load>5.2"],
  ["-F", "load<3.0"],
  ["-F", "role=~/^(web|db)$/"],
  ["-F", "fqdn=/db\\.example/"],
  ["-F", "ips=10.0.0.4"],
  ["-F", "ips=/^192\\.168\\.1[0-9]?\\./"],
  ["-F", "nosuchfact=1"],
  ["-F", "role=web", "-F", "datacenter=dc2"],
  ["-C", "base"],
  ["-C", "role::db"],
  ["-C", "/os::(debian|ubuntu)/"],
  ["-C", "monitoring"],
  ["-C", "role::web", "-C", "os::debian"],
  ["-C", "nosuchclass"],
  ["-I", "node3"],
  ["-I", "node3", "-I", "node8"],
  ["-I", "/node1/"],
  ["-I", "/^node[2-4]$/"],
  ["-I", "/node1/", "-I", "node2"],
  ["-I", "nosuchnode"],
  ["-A", "echo"],
  ["-A", "rpcutil"],
  ["-A", "/ech/"],
  ["-A", "nosuchagent"],
  ["-A", "echo", "-F", "datacenter=dc1"],
  ["-W", "role=web base"],
  ["-W", "monitoring datacenter=dc2"],
  ["-F", "role=db", "-C", "base", "-I", "/node/"],
  ["-S", "role=web"],
  ["-S", "role=web or role=db"],
  ["-S", "role=web and datacenter=dc2"],
  ["-S", "not role=web"],
  ["-S", "!role=web and osfamily=Debian"],
  ["-S", "(role=web or role=db) and not datacenter=dc1"],
  ["-S", "role=cache or (os::redhat and datacenter=dc2)"],
  ["-S", "monitoring or node_index<2"],
  ["-S", "/role::(app|cache)/"],
  ["-S", "operatingsystem=/^Cent/ or osfamily=Debian and datacenter=dc1"],
  ["-S", "node_index>=3 and node_index<=6"],
  ["-S", 'fact("role").value=web'],
  ["-S", 'fact("ips.1").value=/^192\\.168\\.2\\./'],
  ["-S", 'agent("echo").version=1.0'],
  ["-S", 'collective("mcollective").member=true and role=app'],
  ["-S", 'fstat("/etc/hostname").present=1 and datacenter=dc2'],
  ["-S", 'fstat("/nonexistent/phobos").present=1'],
  ["-S", "role=web", "-F", "datacenter=dc1"],
  ["-S", "role=db", "-S", "datacenter=dc2"],
];

/** Runs `work` over `items`, at most `width` at a time. */
export async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

/** The node names `mco find` printed, sorted. */
export const nodeSet = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => /^node\d+$/.test(l))
    .sort();
