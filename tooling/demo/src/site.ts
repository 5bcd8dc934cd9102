import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface DemoNode {
  identity: string;
  facts: Record<string, string>;
  classes: string[];
}

/** Three hosts with the facts and classes a newcomer can filter on. */
export const DEMO_NODES: DemoNode[] = [
  {
    identity: "node1",
    facts: { operatingsystem: "Debian", osfamily: "Debian", role: "web", datacenter: "dc1", node_index: "1" },
    classes: ["base", "role::web", "os::debian"],
  },
  {
    identity: "node2",
    facts: { operatingsystem: "RedHat", osfamily: "RedHat", role: "db", datacenter: "dc2", node_index: "2" },
    classes: ["base", "role::db", "os::redhat"],
  },
  {
    identity: "node3",
    facts: { operatingsystem: "Debian", osfamily: "Debian", role: "app", datacenter: "dc1", node_index: "3" },
    classes: ["base", "role::app", "os::debian"],
  },
];

const PSK = "phobos-demo-psk";
const USER = "mcollective";
const PASSWORD = "phobos-demo";

function common(identity: string, port: number): string[] {
  return [
    "main_collective = mcollective",
    "collectives = mcollective",
    `identity = ${identity}`,
    "connector = rabbitmq",
    "plugin.rabbitmq.vhost = /mcollective",
    "plugin.rabbitmq.pool.size = 1",
    "plugin.rabbitmq.pool.1.host = 127.0.0.1",
    `plugin.rabbitmq.pool.1.port = ${port}`,
    `plugin.rabbitmq.pool.1.user = ${USER}`,
    `plugin.rabbitmq.pool.1.password = ${PASSWORD}`,
    "securityprovider = psk",
    `plugin.psk = ${PSK}`,
  ];
}

/**
 * Writes a site: one directory per node (server.cfg, facts.yaml,
 * classes.txt) and client.cfg. The first node hosts the embedded broker.
 */
export function writeSite(
  dir: string,
  port: number,
  nodes: DemoNode[] = DEMO_NODES,
  consolePort = 0,
): { client: string; servers: string[] } {
  // node1 receives every node's registration into the registry the console's fleet page reads.
  const registry = join(dir, "registry.db");
  const servers = nodes.map((node, i) => {
    const home = join(dir, node.identity);
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, "facts.yaml"),
      `---\n${Object.entries(node.facts)
        .map(([k, v]) => `${k}: "${v}"`)
        .join("\n")}\n`,
    );
    writeFileSync(join(home, "classes.txt"), `${node.classes.join("\n")}\n`);
    const lines = [
      `# ${node.identity}, written by phobos-demo`,
      ...common(node.identity, port),
      "factsource = yaml",
      `plugin.yaml = ${join(home, "facts.yaml")}`,
      `classesfile = ${join(home, "classes.txt")}`,
      `plugin.replay.file = ${join(home, "replay")}`,
      "logger_type = file",
      `logfile = ${join(home, "mcollectived.log")}`,
      "loglevel = info",
      "registration = meta",
      "registerinterval = 60",
      ...(i === 0
        ? [
            "# this daemon hosts the embedded broker and stores the registrations",
            "plugin.broker.enable = 1",
            `plugin.broker.port = ${port}`,
            `plugin.broker.users = ${USER}:${PASSWORD}`,
            `plugin.registration.database = ${registry}`,
          ]
        : []),
    ];
    const file = join(home, "server.cfg");
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  });
  const client = join(dir, "client.cfg");
  writeFileSync(
    client,
    `${[
      "# mco client (and phobos-console), written by phobos-demo",
      ...common("demo-client", port),
      "logger_type = console",
      "loglevel = warn",
      `plugin.registry.database = ${registry}`,
      `plugin.console.port = ${consolePort}`,
      "plugin.console.users = console-users.json",
    ].join("\n")}\n`,
  );
  return { client, servers };
}
