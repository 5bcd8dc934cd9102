export { default as metaRegistration } from "./registration.js";
