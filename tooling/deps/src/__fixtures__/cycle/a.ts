import { b } from "./b.js";

export const a = (): string => `a${b()}`;
