export { default as flatfileDiscoveryDdl } from "./ddl.js";
export { default as flatfileDiscovery } from "./discovery.js";
export { readFlatfile } from "./read-flatfile.js";
