import { connect } from "node:net";
import { CommandError } from "@phobos/core";
import { runCommand } from "@phobos/server";

/**
 * One ICMP echo through the system's `ping` (it holds the raw-socket
 * privilege; Node has none): the round trip in milliseconds, or undefined
 * when nothing came back within `timeoutSeconds`.
 */
export async function icmpPing(
  address: string,
  timeoutSeconds: number,
  ping = "ping",
): Promise<number | undefined> {
  const wait = Math.max(1, Math.ceil(timeoutSeconds));
  const result = await runCommand(ping, ["-n", "-c", "1", "-W", String(wait), address], {
    timeoutMs: (wait + 2) * 1000,
  }).catch((err: unknown) => {
    // No answer in time is a failed ping; a missing ping binary is the agent's error.
    if (err instanceof CommandError && err.timedOut) return undefined;
    throw err;
  });
  if (result?.exitcode !== 0) return undefined;
  const rtt = /\btime[=<]([\d.]+) ?ms\b/.exec(result.stdout)?.[1];
  return rtt === undefined ? undefined : Number(rtt);
}

export interface ConnectOutcome {
  connected: boolean;
  /** `Connected`, `Connection Refused` or `Connection Timeout`, the Ruby agent's words. */
  status: string;
  /** Seconds, when connected. */
  seconds: number | null;
}

/** A TCP handshake with `address:port`, closed at once. */
export function tcpConnect(address: string, port: number, timeoutSeconds: number): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ host: address, port });
    const done = (outcome: ConnectOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => done({ connected: false, status: "Connection Timeout", seconds: null }),
      timeoutSeconds * 1000,
    );
    socket.once("connect", () =>
      done({ connected: true, status: "Connected", seconds: (performance.now() - started) / 1000 }),
    );
    // Ruby's agent calls every failure to connect a refusal (unreachable, reset…).
    socket.once("error", () => done({ connected: false, status: "Connection Refused", seconds: null }));
  });
}
