export { pskCallerId } from "./caller-id.js";
export { default as pskSecurity } from "./security.js";
