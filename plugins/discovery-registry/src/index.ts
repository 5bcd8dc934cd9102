export { default as registryDiscoveryDdl } from "./ddl.js";
export { default as registryDiscovery } from "./discovery.js";
export { parseDiscoveryOptions, type RegistryDiscoveryOptions } from "./discovery-options.js";
export { RegistryFilterError } from "./errors.js";
export { factNamesOf } from "./fact-names.js";
export { type RecordedNode, recordedNodeView } from "./node-view.js";
export { openClientRegistry, RegistryUnavailableError, readRegistry } from "./open-registry.js";
export { refuseDataFunctions } from "./refuse-data-functions.js";
export { type Selection, type StoredNode, selectNodes } from "./select-nodes.js";
