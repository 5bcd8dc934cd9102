export * from "./choose-config-file.js";
export * from "./client-logger.js";
export * from "./config.js";
export * from "./config-item.js";
export * from "./locate.js";
export * from "./log-from-config.js";
export * from "./parse.js";
export * from "./plugin-settings.js";
