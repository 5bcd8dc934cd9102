/**
 * Test helpers for a real PuppetDB (tooling/scripts/provision.sh starts one
 * on 127.0.0.1:8080, HTTPS on 8081, certificates in
 * /var/lib/phobos-puppetdb/ssl): load nodes' facts and classes through the
 * command API, as a Puppet server would, and wait until queries see them.
 * Each test uses its own Puppet environment, so concurrent suites sharing
 * the one PuppetDB never see each other's nodes.
 */
import { randomUUID } from "node:crypto";

export const PUPPETDB_URL = process.env.PHOBOS_PUPPETDB_URL ?? "http://127.0.0.1:8080";
export const PUPPETDB_SSL_URL = process.env.PHOBOS_PUPPETDB_SSL_URL ?? "https://127.0.0.1:8081";
export const PUPPETDB_SSL_DIR = process.env.PHOBOS_PUPPETDB_SSL_DIR ?? "/var/lib/phobos-puppetdb/ssl";

export interface PuppetDbNode {
  certname: string;
  facts: Record<string, unknown>;
  /** Class names as Puppet's classes.txt lists them (`role::web`). */
  classes: string[];
}

/** Throws, naming the provision command, when PuppetDB does not answer. */
export async function requirePuppetDb(): Promise<void> {
  try {
    const res = await fetch(`${PUPPETDB_URL}/status/v1/services/puppetdb-status`);
    const body = (await res.json()) as { state?: string };
    if (body.state === "running") return;
    throw new Error(`state ${body.state}`);
  } catch (e) {
    throw new Error(
      `PuppetDB does not answer at ${PUPPETDB_URL} (${(e as Error).message}): run \`sh tooling/scripts/provision.sh\``,
    );
  }
}

async function command(name: string, version: number, certname: string, payload: unknown): Promise<void> {
  const url = `${PUPPETDB_URL}/pdb/cmd/v1?command=${name}&version=${version}&certname=${encodeURIComponent(certname)}`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  if (!res.ok) throw new Error(`PuppetDB ${name} for ${certname}: HTTP ${res.status} ${await res.text()}`);
}

const title = (name: string) =>
  name
    .split("::")
    .map((s) => (s === "" ? s : `${s[0]?.toUpperCase()}${s.slice(1)}`))
    .join("::");

export async function pqlQuery(pql: string): Promise<unknown[]> {
  const res = await fetch(`${PUPPETDB_URL}/pdb/query/v4`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: pql }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`PQL ${pql}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as unknown[];
}

/**
 * Replaces facts and catalog (one `Class` resource per class) of `nodes`
 * in `environment`, and waits until PuppetDB serves all of them.
 */
export async function loadNodes(environment: string, nodes: readonly PuppetDbNode[]): Promise<void> {
  const now = new Date().toISOString();
  await Promise.all(
    nodes.map(async (node) => {
      await command("replace_facts", 5, node.certname, {
        certname: node.certname,
        environment,
        values: node.facts,
        producer_timestamp: now,
        producer: "phobos-tests",
      });
      await command("replace_catalog", 9, node.certname, {
        certname: node.certname,
        version: "1",
        environment,
        transaction_uuid: randomUUID(),
        catalog_uuid: randomUUID(),
        code_id: null,
        producer: "phobos-tests",
        producer_timestamp: now,
        resources: node.classes.map((c) => ({
          type: "Class",
          title: title(c),
          exported: false,
          tags: ["class", ...c.split("::")],
          parameters: {},
        })),
        edges: [],
      });
    }),
  );
  const names = nodes.map((n) => JSON.stringify(n.certname)).join(", ");
  const wanted = nodes.length;
  for (let attempt = 0; attempt < 300; attempt++) {
    const rows = await pqlQuery(
      `nodes[certname] { facts_environment = ${JSON.stringify(environment)} and catalog_environment = ${JSON.stringify(environment)} and certname in [${names}] and facts_timestamp >= ${JSON.stringify(now)} and catalog_timestamp >= ${JSON.stringify(now)} }`,
    );
    if (rows.length === wanted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PuppetDB did not store the ${wanted} nodes of ${environment} within 30 s`);
}

/** Deactivates `certname` (as `puppet node deactivate`) and waits until it is. */
export async function deactivateNode(certname: string): Promise<void> {
  const now = new Date().toISOString();
  await command("deactivate_node", 3, certname, { certname, producer_timestamp: now });
  for (let attempt = 0; attempt < 300; attempt++) {
    const rows = await pqlQuery(
      `nodes[certname] { certname = ${JSON.stringify(certname)} and node_state = "active" }`,
    );
    if (rows.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`PuppetDB did not deactivate ${certname} within 30 s`);
}

/** A fresh Puppet environment name for one test file. */
export function testEnvironment(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}
