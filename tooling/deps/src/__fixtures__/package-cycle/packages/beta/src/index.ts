import type { alphaName } from "@fx/alpha";

export const betaName = "beta";
export type AlphaNamer = typeof alphaName;
