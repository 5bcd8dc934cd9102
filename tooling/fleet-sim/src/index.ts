export { type ReadyOptions, waitUntilAnswering } from "./client.js";
export {
  type FactChoice,
  type FactDistribution,
  type FactsSpec,
  FactsSpecError,
  factsFor,
  factValue,
  parseFactsSpec,
} from "./facts-spec.js";
export { type Fleet, type FleetOptions, fleetRegistry, nodeConfig, startFleet } from "./fleet.js";
export { nodeIdentities, nodeIdentity } from "./identities.js";
export {
  delayReplies,
  parseReplyDelay,
  type ReplyDelaySpec,
  ReplyDelaySpecError,
  replyDelaySeconds,
} from "./reply-delay.js";
export { SIM_FACTS, simFactsPlugin } from "./sim-facts.js";
