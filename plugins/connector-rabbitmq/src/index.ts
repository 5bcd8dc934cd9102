export { default as rabbitmqConnector } from "./connector.js";
export * from "./destinations.js";
