export { default as nettestAgent } from "./agent.js";
export { default as nettestMmaAggregate } from "./aggregate.js";
export { default as nettestApplication } from "./application.js";
export { default as nettestData } from "./data.js";
export { default as nettestDataDdl } from "./data-ddl.js";
export { default as nettestDdl } from "./ddl.js";
export { default as nettestFqdnValidator } from "./validator-fqdn.js";
export { default as nettestServerAddressValidator } from "./validator-server-address.js";
