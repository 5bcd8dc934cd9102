export { default as agentlistRegistration } from "./registration.js";
