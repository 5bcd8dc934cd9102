/**
 * @phobos/core: what mco, mcollectived and every plugin share: config, log,
 * messages, filters, the plugin contract and host. It re-exports the
 * packages below it (errors, ruby, ddl), so a plugin depends on core alone.
 * Each area has its own index; this file only gathers them.
 */

export * from "@phobos/ddl";
export * from "@phobos/errors";
export * from "@phobos/ruby";
export * from "./config/index.js";
export * from "./filter/index.js";
export * from "./log/logger.js";
export * from "./log/syslog-sink.js";
export * from "./message/index.js";
export { pluginContextFor } from "./plugin/context-for.js";
export * from "./plugin/index.js";
export * from "./rpc/index.js";
export * from "./version.js";
