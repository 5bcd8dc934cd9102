export { default as packageAgent, packageAction } from "./agent.js";
export { default as packageApplication, parsePackageArguments } from "./application.js";
export { default as packageData } from "./data.js";
export { default as packageDataDdl } from "./data-ddl.js";
export { default as packageDdl } from "./ddl.js";
export * from "./providers/index.js";
