import { secret } from "../../two/src/internal.js";
import { own } from "./own.js";

export const reach = secret + own;
