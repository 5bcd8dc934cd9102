import { errorTail, findExecutable, runCommand } from "@phobos/server";
import { assertServiceName, type ServiceProvider, type ServiceRun } from "./types.js";

/** systemd: `systemctl is-active` to look, `systemctl start|stop|restart` to change. */
export function createSystemdProvider(options: { timeoutMs: number }): ServiceProvider {
  const systemctl = () => {
    const path = findExecutable("systemctl");
    if (!path) throw new Error("Cannot find systemctl on this node");
    return path;
  };
  const run = (args: string[]) => runCommand(systemctl(), args, { timeoutMs: options.timeoutMs });
  const change = async (verb: string, service: string): Promise<ServiceRun> => {
    assertServiceName(service);
    const result = await run([verb, "--", service]);
    return result.exitcode === 0
      ? { exitcode: 0 }
      : { exitcode: result.exitcode, error: `systemctl ${verb} ${service} failed: ${errorTail(result)}` };
  };
  return {
    name: "systemd",
    async status(service) {
      assertServiceName(service);
      const load = await run(["show", "--property=LoadState", "--value", "--", service]);
      if (load.stdout.trim() === "not-found") throw new Error(`Could not find service '${service}'`);
      const active = await run(["is-active", "--quiet", "--", service]);
      return active.exitcode === 0 ? "running" : "stopped";
    },
    start: (service) => change("start", service),
    stop: (service) => change("stop", service),
    restart: (service) => change("restart", service),
  };
}
