import { PhobosError } from "@phobos/core";

/** The registry database cannot be opened, migrated, read or written. */
export class RegistryError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("REGISTRY", message, options);
  }
}

/** A short, stable name for what went wrong with a database call: its driver code where it has one. */
export function causeOf(error: unknown): string {
  if (error instanceof RegistryError && error.cause !== undefined) return causeOf(error.cause);
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    if (error instanceof AggregateError && error.errors.length > 0) return causeOf(error.errors[0]);
  }
  return error instanceof Error ? error.name : "unknown";
}

export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === "" && error.errors.length > 0) {
    return messageOf(error.errors[0]);
  }
  return error instanceof Error ? error.message : String(error);
}
