import type { Greeting } from "./types.js";

export const greet = (name: string): Greeting => ({ text: `hello ${name}` });
