/**
 * A service provider drives one init system. The agent owns policy — what
 * to refuse, when to look again, how a failure reaches the client — and
 * asks the provider to look a service up and to run its init system's
 * command, always as an argument vector. Names are checked by
 * `assertServiceName` before they get near one.
 */
import { InvalidRpcDataError } from "@phobos/core";

export type ServiceState = "running" | "stopped";

/** A start, stop or restart that ran: `error` holds the init system's own words when it failed. */
export interface ServiceRun {
  exitcode: number;
  error?: string;
}

export interface ServiceProvider {
  readonly name: string;
  /** @throws Error when the init system knows no such service */
  status(service: string): Promise<ServiceState>;
  start(service: string): Promise<ServiceRun>;
  stop(service: string): Promise<ServiceRun>;
  restart(service: string): Promise<ServiceRun>;
}

// No leading dash or dot: a name must never read as an option or a path.
const SERVICE_NAME = /^[A-Za-z0-9_@][A-Za-z0-9._:@-]*$/;

export function assertServiceName(service: string): void {
  if (!SERVICE_NAME.test(service)) {
    throw new InvalidRpcDataError(
      `'${service}' is not a valid service name: letters, digits and . _ : @ - only, not starting with - or .`,
    );
  }
}
