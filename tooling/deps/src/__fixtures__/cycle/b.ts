import { a } from "./a.js";

export const b = (): string => "b";
export const viaA = (): string => a();
