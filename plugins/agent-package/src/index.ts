export { default as packageAgent, packageAction } from "./agent.js";
export { default as packageApplication, parsePackageArguments } from "./application.js";
export { default as packageData } from "./data/package.js";
export { default as packageDataDdl } from "./data/package-ddl.js";
export { default as packageDdl } from "./ddl.js";
export * from "./providers/index.js";
