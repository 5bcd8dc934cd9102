export * from "./agent-host.js";
export * from "./classes.js";
export * from "./data-result.js";
export * from "./facts-cache.js";
export * from "./replay-cache.js";
export * from "./run-command.js";
export * from "./server.js";
export * from "./stats.js";
