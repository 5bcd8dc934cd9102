import { UsageError } from "@phobos/core";

/** A filter the registry cannot answer from what it stored: nothing is sent. */
export class RegistryFilterError extends UsageError {
  constructor(part: string, reason: string) {
    super(`The registry discovery method cannot evaluate ${part}: ${reason}`);
  }
}
