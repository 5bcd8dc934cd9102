/**
 * @phobos/core: what mco, mcollectived and every plugin share.
 * Each area has its own index; this file only gathers them.
 */

export * from "./config/index.js";
export * from "./ddl/index.js";
export * from "./errors.js";
export * from "./filter/index.js";
export * from "./log/logger.js";
export * from "./marshal/index.js";
export * from "./message/index.js";
export { pluginContextFor } from "./plugin/context-for.js";
export * from "./plugin/index.js";
export * from "./rpc/index.js";
export * from "./ruby/index.js";
export * from "./util/index.js";
export * from "./version.js";
