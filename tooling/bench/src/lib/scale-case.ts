/**
 * One case of bench:scale: a simulated fleet on a broker, rounds of `ping`
 * or `rpcutil ping` from the Phobos client, and per round where the CPU went
 * (broker, fleet-sim, client) from /proc — the profile of the fan-out path.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { type Kind, phobosClient, type Round } from "./clients.js";
import { processTree, treeCpuMs } from "./proc-cpu.js";
import { type SimFleet, type Site, startSimFleet } from "./site.js";
import { median } from "./stats.js";

export interface ScaleRound extends Round {
  /** CPU the broker used from sending to the last reply. */
  brokerCpuMs: number;
  /** CPU fleet-sim (all its processes) used in the same span. */
  fleetCpuMs: number;
}

export interface ScaleCaseOptions {
  nodes: number;
  kinds: readonly Kind[];
  rounds: number;
  /** Warm-up rounds per kind, not counted. */
  warmup?: number;
  /** fleet-sim processes (default: fleet-sim's one per 1,250 nodes). */
  procs?: number;
  /** Server config lines for the fleet (another transport, pool, …). */
  serverExtra?: Readonly<Record<string, string>>;
  /** The client's config (default: the site's). */
  clientConfig?: string;
  /** The broker's processes, for its CPU per round. */
  brokerPids: readonly number[];
  /** Seconds each request waits for its replies: generous, so a lost reply shows as lost, not slow. */
  timeoutSeconds?: number;
  /** Writes CPU profiles of the client (its rounds) and of fleet-sim (its whole run) here. */
  profileDir?: string;
  /** Called with the ready fleet before the rounds (e.g. to run `mco ping` at it). */
  withFleet?: (fleet: SimFleet) => Promise<void>;
  log?: (line: string) => void;
}

export interface ScaleCaseResult {
  nodes: number;
  /** fleet-sim's readiness report. */
  ready: Record<string, unknown>;
  /** Broker CPU per second with the fleet connected and no requests (heartbeats, statistics, …). */
  brokerIdleCpuPerS: number;
  byKind: Map<Kind, ScaleRound[]>;
  /** Rounds that failed outright, with why. */
  errors: string[];
}

const IDLE_SAMPLE_MS = 2000;

export async function runScaleCase(site: Site, options: ScaleCaseOptions): Promise<ScaleCaseResult> {
  const log = options.log ?? (() => undefined);
  const timeout = options.timeoutSeconds ?? 10;
  const fleet = await startSimFleet(site, {
    count: options.nodes,
    ...(options.procs === undefined ? {} : { procs: options.procs }),
    ...(options.serverExtra === undefined ? {} : { extra: options.serverExtra }),
    ...(options.profileDir === undefined
      ? {}
      : { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", join(options.profileDir, "fleet-sim")] }),
  });
  try {
    log(`${options.nodes} nodes ready in ${String(fleet.ready.readyMs)} ms`);
    const fleetPids = processTree(fleet.pid);
    const brokerCpu = () => treeCpuMs(options.brokerPids);
    const idleFrom = brokerCpu();
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const brokerIdleCpuPerS = ((brokerCpu() - idleFrom) * 1000) / IDLE_SAMPLE_MS;
    await options.withFleet?.(fleet);

    const client = await phobosClient(options.clientConfig ?? site.clientConfig);
    const session = options.profileDir === undefined ? undefined : new Session();
    const byKind = new Map<Kind, ScaleRound[]>();
    const errors: string[] = [];
    try {
      for (const kind of options.kinds) {
        for (let i = 0; i < (options.warmup ?? 2); i++) await client.round(kind, fleet.identities, timeout);
        if (session) {
          session.connect();
          await session.post("Profiler.enable");
          await session.post("Profiler.start");
        }
        const rounds: ScaleRound[] = [];
        for (let i = 0; i < options.rounds; i++) {
          const b0 = brokerCpu();
          const f0 = treeCpuMs(fleetPids);
          try {
            const round = await client.round(kind, fleet.identities, timeout);
            rounds.push({ ...round, brokerCpuMs: brokerCpu() - b0, fleetCpuMs: treeCpuMs(fleetPids) - f0 });
          } catch (error) {
            // A round that could not even send (e.g. publish_timeout) is reported, not hidden.
            errors.push(`${kind} round ${i + 1}: ${(error as Error).message}`);
            log(errors[errors.length - 1] as string);
          }
        }
        if (session && options.profileDir) {
          const { profile } = await session.post("Profiler.stop");
          session.disconnect();
          const file = join(options.profileDir, `client-${kind}-${options.nodes}.cpuprofile`);
          await writeFile(file, JSON.stringify(profile));
        }
        byKind.set(kind, rounds);
        const ms = rounds.map((r) => r.ms);
        log(
          `${kind}: median ${median(ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms, lost ${rounds.reduce((s, r) => s + r.lost, 0)}`,
        );
      }
    } finally {
      await client.close();
    }
    return { nodes: options.nodes, ready: fleet.ready, brokerIdleCpuPerS, byKind, errors };
  } finally {
    await fleet.stop();
  }
}
