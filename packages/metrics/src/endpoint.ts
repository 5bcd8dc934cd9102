import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MetricSet, Prom, PromRegistry } from "./metric-set.js";
import { joinMetricSetBoard } from "./metric-sets.js";

export const METRICS_PATH = "/metrics";

export interface MetricsEndpointOptions {
  /** The address to listen on (`plugin.metrics.bind`). */
  host: string;
  /** The port (`plugin.metrics.port`); 0 picks a free one. */
  port: number;
  /** Sets this process always exposes; those given to `addMetricSet` join them. */
  sets?: readonly MetricSet[];
  /** Where a set that fails to register, or a failed scrape, is reported. */
  log?: { warn(message: string): void };
}

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
  /** `http://host:port/metrics`. */
  readonly url: string;
  /** The exposition text a scrape gets now. */
  scrape(): Promise<string>;
  /** Stops listening and detaches every set. Idempotent. */
  close(): Promise<void>;
}

/** The metrics one set created, and what it hooked, so detaching it undoes both. */
interface Attached {
  names: string[];
  undo: (() => void) | undefined;
}

/**
 * Starts the Prometheus endpoint: prom-client (and node:http) are imported
 * here and nowhere else, so a process with metrics off never loads them. The endpoint answers
 * GET (and HEAD) /metrics; any other path is 404 and any other method 405,
 * since an open port should offer nothing but the numbers.
 */
export async function startMetricsEndpoint(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  const prom: Prom = await import("prom-client");
  const { createServer } = await import("node:http");
  const registry: PromRegistry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const attached = new Map<MetricSet, Attached>();

  const attach = (set: MetricSet): void => {
    if (attached.has(set)) return;
    const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
    const created = () => registry.getMetricsAsArray().filter((m) => !before.has(m.name));
    try {
      attached.set(set, { undo: set.register(prom, registry), names: created().map((m) => m.name) });
    } catch (err) {
      for (const metric of created()) registry.removeSingleMetric(metric.name);
      throw new Error(`metric set '${set.name}' could not be registered: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const detach = (set: MetricSet): void => {
    const entry = attached.get(set);
    if (!entry) return;
    attached.delete(set);
    entry.undo?.();
    for (const name of entry.names) registry.removeSingleMetric(name);
  };

  const board = joinMetricSetBoard({
    attach(set) {
      try {
        attach(set);
      } catch (err) {
        options.log?.warn((err as Error).message);
      }
    },
    detach,
  });
  try {
    for (const set of [...(options.sets ?? []), ...board.sets]) attach(set);
  } catch (err) {
    board.leave();
    throw err;
  }

  const server = createServer((req, res) => void answer(req, res, registry, options.log));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    board.leave();
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`cannot listen for metrics on ${options.host}:${options.port}: ${code}`, { cause: err });
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port,
    url: `http://${urlHost}:${port}${METRICS_PATH}`,
    scrape: () => registry.metrics(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        board.leave();
        for (const set of [...attached.keys()]) detach(set);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  registry: PromRegistry,
  log: MetricsEndpointOptions["log"],
): Promise<void> {
  const path = (req.url ?? "").split("?", 1)[0];
  if (path !== METRICS_PATH) return refuse(res, 404, "Not Found: the only path here is /metrics\n");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return refuse(res, 405, `Method Not Allowed: ${METRICS_PATH} answers GET and HEAD\n`);
  }
  let body: string;
  try {
    body = await registry.metrics();
  } catch (err) {
    log?.warn(`metrics scrape failed: ${(err as Error).message}`);
    return refuse(res, 500, `metrics scrape failed: ${(err as Error).message}\n`);
  }
  res.writeHead(200, {
    "Content-Type": registry.contentType,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}
