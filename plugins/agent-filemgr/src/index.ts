export { default as filemgrAgent } from "./agent.js";
export { default as filemgrApplication } from "./application.js";
export { default as filemgrDdl } from "./ddl.js";
