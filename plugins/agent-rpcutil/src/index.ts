export { default as rpcutilAgent } from "./agent.js";
export { default as rpcutilDdl } from "./ddl.js";
export { default as discoveryAgent } from "./discovery-agent.js";
export { default as discoveryAgentDdl } from "./discovery-ddl.js";
