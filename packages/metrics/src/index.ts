export * from "./endpoint.js";
export * from "./exposition.js";
export * from "./metric-set.js";
export * from "./metric-sets.js";
