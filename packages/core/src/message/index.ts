export * from "./envelope.js";
export * from "./filter.js";
export * from "./filter-codec.js";
export * from "./request-id.js";
