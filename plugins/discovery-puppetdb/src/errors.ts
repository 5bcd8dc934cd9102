import { PhobosError, UsageError } from "@phobos/core";

/**
 * A filter, or a part of one, that PQL cannot say exactly. Discovery stops
 * with it rather than asking PuppetDB something wider (or different).
 */
export class PqlUnsupportedError extends UsageError {
  constructor(part: string, reason: string) {
    super(`The puppetdb discovery method cannot express ${part} in PQL: ${reason}`);
  }
}

/** PuppetDB down, slow, or answering an error: one line naming the URL. */
export class PuppetDbError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("PUPPETDB", message, options);
  }
}
