export { default as nettestAgent } from "./agent.js";
export { default as nettestMmaAggregate } from "./aggregates/nettest-mma.js";
export { default as nettestApplication } from "./application.js";
export { default as nettestData } from "./data/nettest.js";
export { default as nettestDataDdl } from "./data/nettest-ddl.js";
export { default as nettestDdl } from "./ddl.js";
export { default as nettestFqdnValidator } from "./validators/nettest-fqdn.js";
export { default as nettestServerAddressValidator } from "./validators/nettest-server-address.js";
