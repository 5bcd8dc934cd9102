import { betaName } from "@fx/beta";

export const alphaName = (): string => `alpha beside ${betaName}`;
