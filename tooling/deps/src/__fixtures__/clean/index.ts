export { greet } from "./greet.js";
export type { Greeting } from "./types.js";
