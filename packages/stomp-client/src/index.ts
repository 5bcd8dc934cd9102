export * from "./pool.js";
export * from "./socket-adapter.js";
export * from "./transport.js";
