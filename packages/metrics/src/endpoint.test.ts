import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type MetricsEndpoint, startMetricsEndpoint } from "./endpoint.js";
import { parseExposition, sampleValue } from "./exposition.js";
import { defineMetricSet } from "./metric-set.js";
import { addMetricSet } from "./metric-sets.js";

function call(endpoint: MetricsEndpoint, method: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: endpoint.host, port: endpoint.port, method, path }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

const widgets = { made: 0 };
const widgetSet = defineMetricSet({
  name: "widgets",
  register(prom, registry) {
    new prom.Counter({
      name: "test_widgets_made_total",
      help: "Widgets made",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(widgets.made);
      },
    });
    return undefined;
  },
});

let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe("the metrics endpoint", () => {
  it("serves a set's current values on GET /metrics, with the process's own", async () => {
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0, sets: [widgetSet] });
    widgets.made = 3;
    const first = await call(endpoint, "GET", "/metrics");
    expect(first.status).toBe(200);
    expect(first.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(first.body);
    expect(sampleValue(samples, "test_widgets_made_total")).toBe(3);
    expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThanOrEqual(0);
    widgets.made = 5;
    expect(
      sampleValue(
        parseExposition((await call(endpoint, "GET", "/metrics?x=1")).body),
        "test_widgets_made_total",
      ),
    ).toBe(5);
  });

  it("answers HEAD with headers only, other methods 405 and other paths 404", async () => {
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0 });
    const head = await call(endpoint, "HEAD", "/metrics");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const refused = await call(endpoint, method, "/metrics");
      expect(refused.status, method).toBe(405);
      expect(refused.headers.allow).toBe("GET, HEAD");
    }
    for (const path of ["/", "/metrics/", "/metricsx", "/health", "/../metrics"]) {
      const missing = await call(endpoint, "GET", path);
      expect(missing.status, path).toBe(404);
      expect(missing.body).not.toContain("# TYPE");
    }
  });

  it("takes in a set added by another package while it runs, and drops it when removed", async () => {
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0 });
    expect(await endpoint.scrape()).not.toContain("test_widgets_made_total");
    const remove = addMetricSet(widgetSet);
    try {
      widgets.made = 7;
      expect(sampleValue(parseExposition(await endpoint.scrape()), "test_widgets_made_total")).toBe(7);
    } finally {
      remove();
    }
    expect(await endpoint.scrape()).not.toContain("test_widgets_made_total");
  });

  it("registers a set added before it started, and calls a set's undo when it closes", async () => {
    let undone = 0;
    const remove = addMetricSet(
      defineMetricSet({
        name: "early",
        register(prom, registry) {
          new prom.Gauge({ name: "test_early", help: "early", registers: [registry] }).set(1);
          return () => {
            undone++;
          };
        },
      }),
    );
    try {
      endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0 });
      expect(sampleValue(parseExposition(await endpoint.scrape()), "test_early")).toBe(1);
      await endpoint.close();
      expect(undone).toBe(1);
    } finally {
      remove();
    }
  });

  it("names a set whose metrics clash, and keeps serving the others", async () => {
    const warnings: string[] = [];
    endpoint = await startMetricsEndpoint({
      host: "127.0.0.1",
      port: 0,
      sets: [widgetSet],
      log: { warn: (m) => warnings.push(m) },
    });
    const remove = addMetricSet(defineMetricSet({ ...widgetSet, name: "copycat" }));
    remove();
    expect(warnings).toEqual([
      expect.stringMatching(/^metric set 'copycat' could not be registered: .*test_widgets_made_total/),
    ]);
    expect((await call(endpoint, "GET", "/metrics")).status).toBe(200);
  });

  it("says which address it could not listen on", async () => {
    endpoint = await startMetricsEndpoint({ host: "127.0.0.1", port: 0 });
    await expect(startMetricsEndpoint({ host: "127.0.0.1", port: endpoint.port })).rejects.toThrow(
      `cannot listen for metrics on 127.0.0.1:${endpoint.port}: EADDRINUSE`,
    );
  });
});

describe("parseExposition", () => {
  it("reads labels with escapes, and infinities", () => {
    const samples = parseExposition(
      '# HELP x y\n# TYPE x counter\nx{a="1",b="q\\"uote\\\\ ,n"} 2\nh_bucket{le="+Inf"} +Inf\n',
    );
    expect(samples).toEqual([
      { name: "x", labels: { a: "1", b: 'q"uote\\ ,n' }, value: 2 },
      { name: "h_bucket", labels: { le: "+Inf" }, value: Number.POSITIVE_INFINITY },
    ]);
    expect(() => parseExposition("x{a=1} 2")).toThrow(/bad labels/);
  });
});
