export * from "./payload.js";
