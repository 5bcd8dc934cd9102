export { default as activemqConnector, explainActiveMqError } from "./connector.js";
export * from "./destinations.js";
