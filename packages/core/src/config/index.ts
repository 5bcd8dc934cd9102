export * from "./config.js";
export * from "./config-item.js";
export * from "./locate.js";
export * from "./parse.js";
