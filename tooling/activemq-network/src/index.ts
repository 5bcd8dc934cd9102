export { type BrokerNetwork, type BrokerNetworkOptions, startBrokerNetwork } from "./broker-network.js";
export { type DaemonDemand, missingDemand, waitForDemand } from "./demand.js";
export { type NetworkPorts, networkPorts } from "./ports.js";
export {
  type RequestLoop,
  type RequestLoopOptions,
  type Round,
  type RoundKind,
  startRequestLoop,
} from "./request-loop.js";
export { complete, describeRound, type RestartOutcome, restartOutcome } from "./rounds.js";
