export { default as mcDiscoveryDdl } from "./ddl.js";
export { default as mcDiscovery } from "./discovery.js";
