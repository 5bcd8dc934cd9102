export * from "./back-off.js";
export * from "./connect-deadline.js";
export * from "./frame-reader.js";
export * from "./outbox.js";
export * from "./pool.js";
export * from "./socket-adapter.js";
export * from "./transport.js";
