/**
 * One PQL query against `/pdb/query/v4`, over HTTP or HTTPS with the
 * client's certificate, key and CA, bounded by a deadline. Every failure is
 * a one-line PuppetDbError naming the URL.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { ConfigError, type PluginSettings } from "@phobos/core";
import { PuppetDbError } from "./errors.js";
import type { PuppetDbServer } from "./server.js";

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const TLS_KEYS = { ca: "ssl_ca", cert: "ssl_cert", key: "ssl_key" } as const;

/** The PEM files named by `plugin.puppetdb.ssl_ca / ssl_cert / ssl_key`, read now. */
export function readTlsFiles(settings: PluginSettings): TlsFiles {
  const files: TlsFiles = {};
  for (const [field, key] of Object.entries(TLS_KEYS) as [keyof TlsFiles, string][]) {
    const path = settings.string(key)?.trim();
    if (!path) continue;
    try {
      files[field] = readFileSync(path);
    } catch (e) {
      throw new ConfigError(
        `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { ...settings.where(key), key: settings.fullKey(key) },
      );
    }
  }
  if ((files.cert === undefined) !== (files.key === undefined)) {
    const missing = files.cert === undefined ? "ssl_cert" : "ssl_key";
    throw new ConfigError("needs both a certificate and its key", { key: settings.fullKey(missing) });
  }
  return files;
}

export function queryUrl(server: PuppetDbServer): string {
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  return `${server.protocol}//${host}:${server.port}/pdb/query/v4`;
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** A socket or TLS error in a few words: OpenSSL's messages span lines and name source files. */
function describe(e: NodeJS.ErrnoException): string {
  const tls = /SSL routines:[^:]*:([^:\n]+)/.exec(e.message)?.[1];
  if (tls) return `TLS: ${tls}${e.code ? ` (${e.code})` : ""}`;
  const line = firstLine(e.message);
  return e.code && !line.includes(e.code) ? `${line} (${e.code})` : line;
}

/** POSTs `{"query": pql}`; resolves with the certnames PuppetDB answers. */
export function queryCertnames(
  server: PuppetDbServer,
  pql: string,
  options: { tls: TlsFiles; timeoutMs: number; timeoutSeconds?: number; signal?: AbortSignal },
): Promise<string[]> {
  const url = queryUrl(server);
  const body = JSON.stringify({ query: pql });
  const seconds = options.timeoutSeconds ?? Math.round(options.timeoutMs / 100) / 10;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new PuppetDbError(message, { cause }));
    };
    const requestOptions: https.RequestOptions = {
      method: "POST",
      host: server.host,
      port: server.port,
      path: "/pdb/query/v4",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "content-length": Buffer.byteLength(body),
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(server.protocol === "https:" ? options.tls : {}),
    };
    const req = (server.protocol === "https:" ? https : http).request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => fail(`PuppetDB at ${url}: reading the answer failed: ${e.message}`, e));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) {
          fail(
            `PuppetDB at ${url} answered HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd() +
              (firstLine(text) ? `: ${firstLine(text)}` : ""),
          );
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          fail(`PuppetDB at ${url} answered something that is not JSON: ${firstLine(text)}`, e);
          return;
        }
        if (!Array.isArray(parsed)) {
          fail(`PuppetDB at ${url} answered ${firstLine(text)} where a list of nodes was expected`);
          return;
        }
        const certnames: string[] = [];
        for (const row of parsed) {
          const name = (row as { certname?: unknown } | null)?.certname;
          if (typeof name !== "string") {
            fail(`PuppetDB at ${url} answered a row without a certname: ${JSON.stringify(row)}`);
            return;
          }
          certnames.push(name);
        }
        settled = true;
        clearTimeout(timer);
        resolve(certnames);
      });
    });
    const timer = setTimeout(
      () => fail(`PuppetDB at ${url} did not answer within the discovery timeout of ${seconds}s`),
      options.timeoutMs,
    );
    req.on("error", (e: NodeJS.ErrnoException) => fail(`Cannot query PuppetDB at ${url}: ${describe(e)}`, e));
    req.end(body);
  });
}
