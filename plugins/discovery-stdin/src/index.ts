export { default as stdinDiscoveryDdl } from "./ddl.js";
export { default as stdinDiscovery } from "./discovery.js";
export { hostsFromJson, parseStdinHosts, type StdinFormat } from "./parse-stdin.js";
