export { default as serviceAgent, serviceAction } from "./agent.js";
export { default as serviceApplication, parseServiceArguments, serviceLine } from "./application.js";
export { default as serviceData } from "./data/service.js";
export { default as serviceDataDdl } from "./data/service-ddl.js";
export { default as serviceDdl } from "./ddl.js";
export * from "./providers/index.js";
