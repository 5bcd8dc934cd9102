/**
 * One request, timed from inside the client: Phobos's MessagingClient here,
 * Ruby MCollective's own client classes in a Ruby process (ruby-client.rb).
 * Both report, per round, the time from sending to the last reply, the
 * replies received and the client's CPU time for the round.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openClient } from "@phobos/client";
import {
  consoleSink,
  createLogger,
  emptyFilter,
  loadConfig,
  rpcReplyFromRuby,
  rpcRequestToRuby,
} from "@phobos/core";
import { fleetRegistry } from "@phobos/fleet-sim";
import { rubyEnv } from "@phobos/interop";

export type Kind = "discovery-ping" | "rpcutil-ping";

export interface Round {
  /** Sending to the last reply. */
  ms: number;
  replies: number;
  /** Expected replies that did not come. */
  lost: number;
  cpuMs: number;
}

export interface PhobosClient {
  round(kind: Kind, identities: readonly string[], timeoutSeconds: number): Promise<Round>;
  close(): Promise<void>;
}

export async function phobosClient(clientConfig: string): Promise<PhobosClient> {
  const config = loadConfig(clientConfig);
  const log = createLogger(consoleSink("error"));
  const registry = await fleetRegistry(config, [], log);
  const opened = await openClient({ config, registry, log, connectionTimeout: 30 });
  const client = opened.messaging;
  return {
    async round(kind, identities, timeoutSeconds) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      let last = started;
      let bad = 0;
      const stats = await client.request({
        ...(kind === "discovery-ping"
          ? { agent: "discovery", body: "ping", filter: emptyFilter() }
          : {
              agent: "rpcutil",
              body: rpcRequestToRuby({
                agent: "rpcutil",
                action: "ping",
                caller: client.security.callerId(),
                data: { process_results: true },
              }),
              filter: { ...emptyFilter(), agent: ["rpcutil"] },
              nodes: [...identities],
            }),
        timeout: timeoutSeconds,
        expect: [...identities],
        onReply: (reply) => {
          last = performance.now();
          // What `mco rpc` does with each reply: the SimpleRPC result out of the body.
          if (kind === "rpcutil-ping" && rpcReplyFromRuby(reply.body).statuscode !== 0) bad++;
          return undefined;
        },
      });
      const used = process.cpuUsage(cpu);
      return {
        ms: last - started,
        replies: stats.responses - bad,
        lost: stats.noresponsefrom.length + bad,
        cpuMs: (used.user + used.system) / 1000,
      };
    },
    close: () => opened.close(),
  };
}

const RUBY_CLIENT = fileURLToPath(new URL("../../scripts/ruby-client.rb", import.meta.url));

/** Runs `rounds` requests in one Ruby process with MCollective's own client. */
export function rubyRounds(
  clientConfig: string,
  kind: Kind,
  identities: readonly string[],
  rounds: number,
  timeoutSeconds: number,
): Promise<Round[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("ruby", [RUBY_CLIENT, clientConfig, kind, String(rounds), String(timeoutSeconds)], {
      env: rubyEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${identities.join("\n")}\n`);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`ruby-client.rb exited with ${code}:\n${err}`));
      resolve(
        out
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Round),
      );
    });
  });
}
