export { default as puppetdbDiscoveryDdl } from "./ddl.js";
export { default as puppetdbDiscovery } from "./discovery.js";
export { PqlUnsupportedError, PuppetDbError } from "./errors.js";
export { PgRegexpError, toPgRegexp } from "./pg-regexp.js";
export { filterToPql } from "./pql.js";
export { findServer, type PuppetDbServer } from "./server.js";
