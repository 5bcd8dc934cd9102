export { default as puppetAgent } from "./agent.js";
export { default as booleanSummaryAggregate } from "./aggregates/boolean-summary.js";
export { default as puppetApplication } from "./application.js";
export { default as puppetData } from "./data/puppet.js";
export { default as puppetDataDdl } from "./data/puppet-ddl.js";
export { default as resourceData } from "./data/resource.js";
export { default as resourceDataDdl } from "./data/resource-ddl.js";
export { default as puppetDdl } from "./ddl.js";
export { PuppetAgentManager, secondsToHuman } from "./manager.js";
