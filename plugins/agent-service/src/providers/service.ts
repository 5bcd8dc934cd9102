import { existsSync } from "node:fs";
import { join } from "node:path";
import { errorTail, findExecutable, runCommand } from "@phobos/server";
import { assertServiceName, type ServiceProvider, type ServiceRun } from "./types.js";

export interface ServiceCommandOptions {
  timeoutMs: number;
  /** `plugin.service.service.servicecmd`: what runs `<cmd> <service> <verb>`. Default: `service` on PATH. */
  servicecmd?: string | undefined;
  /** Where init scripts live, to tell an unknown service from a stopped one. */
  initDir?: string;
}

/**
 * sysvinit and other `service`-driven hosts: `service <name> status|start|
 * stop|restart`, with the LSB meaning of exit codes (status 0 is running).
 */
export function createServiceCommandProvider(options: ServiceCommandOptions): ServiceProvider {
  const initDir = options.initDir ?? "/etc/init.d";
  const command = () => {
    const path = options.servicecmd ?? findExecutable("service");
    if (!path) throw new Error("Cannot find the service command on this node");
    return path;
  };
  const run = (service: string, verb: string) => {
    assertServiceName(service);
    // Only the stock command is known to read /etc/init.d; a configured one answers for itself.
    if (options.servicecmd === undefined && !existsSync(join(initDir, service))) {
      throw new Error(`Could not find service '${service}': no ${join(initDir, service)}`);
    }
    return runCommand(command(), [service, verb], { timeoutMs: options.timeoutMs });
  };
  const change = async (verb: string, service: string): Promise<ServiceRun> => {
    const result = await run(service, verb);
    return result.exitcode === 0
      ? { exitcode: 0 }
      : { exitcode: result.exitcode, error: `${verb} of ${service} failed: ${errorTail(result)}` };
  };
  return {
    name: "service",
    async status(service) {
      return (await run(service, "status")).exitcode === 0 ? "running" : "stopped";
    },
    start: (service) => change("start", service),
    stop: (service) => change("stop", service),
    restart: (service) => change("restart", service),
  };
}
