/**
 * Requests whose client has stopped waiting. MCollective runs a request
 * for as long as its ttl (60 s by default) keeps it valid, so one held up in
 * a queue, or by a busy daemon, still restarts a service after `mco` has
 * printed "No response from" and the operator has moved on (perhaps to run
 * it again). A daemon with `plugin.stale_requests.drop = true` drops, with
 * one log line, a request older than the time its client waits for
 * replies: the agent's DDL timeout, which the client waits unless told
 * otherwise, plus `plugin.stale_requests.grace` seconds for clocks that
 * disagree and a client that took a moment to publish.
 *
 * The client's own timeout is not on the wire (Ruby's envelope has none),
 * so a client that waits longer than the DDL says (`mco rpc -t 120`) loses
 * the replies of requests that arrive after the DDL timeout: the reason
 * this is off by default, as it is in MCollective. Discovery pings are
 * never dropped: they do no work, and the client waits its discovery
 * timeout for them, not a DDL's.
 */
import { type Config, ConfigError, pluginSettings } from "@phobos/core";

export interface StaleRequestPolicy {
  /** `plugin.stale_requests.drop`. */
  drop: boolean;
  /** `plugin.stale_requests.grace`, in seconds. */
  grace: number;
}

export const DEFAULT_STALE_GRACE_SECONDS = 5;

export function readStaleRequestPolicy(config: Config): StaleRequestPolicy {
  const s = pluginSettings(config, "stale_requests");
  const drop = s.boolean("drop", false);
  const grace = s.integer("grace", DEFAULT_STALE_GRACE_SECONDS);
  if (grace < 0) {
    throw new ConfigError(`'${grace}' is negative: give the seconds of allowance, 0 or more`, {
      ...s.where("grace"),
      key: s.fullKey("grace"),
    });
  }
  return { drop, grace };
}

/**
 * Why `request` is to be dropped as stale (the log line's reason), or
 * undefined to run it. `agentTimeout` is the agent's DDL timeout in seconds
 * (0 or less: none declared, never stale).
 */
export function staleRequestReason(
  policy: StaleRequestPolicy,
  request: { agent: string; msgtime: number },
  agentTimeout: number,
  now: number,
): string | undefined {
  if (!policy.drop || request.agent === "discovery" || agentTimeout <= 0) return undefined;
  const age = now - request.msgtime;
  const waited = agentTimeout + policy.grace;
  if (age <= waited) return undefined;
  return `it is ${age} seconds old and its client stopped waiting after ${agentTimeout} seconds (the ${request.agent} DDL timeout) plus ${policy.grace} of grace (plugin.stale_requests.drop, plugin.stale_requests.grace)`;
}
