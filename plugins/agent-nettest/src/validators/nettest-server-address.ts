import { defineValidator, mcollectiveValidators } from "@phobos/core";

const HOST =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** `host:port`, as the nettest data plugin takes it. */
export function parseServerAddress(server: unknown): { host: string; port: number } {
  mcollectiveValidators.typecheck(server, "string");
  mcollectiveValidators.shellsafe(server);
  const [host, port] = String(server).split(":");
  if (!host || !port)
    throw new Error(`The address '${String(server)}' must include both a hostname and port`);
  if (!HOST.test(host)) throw new Error(`The hostname '${host}' is not a valid hostname`);
  if (!/^\d+$/.test(port)) throw new Error(`The port '${port}' is not a valid port`);
  return { host, port: Number(port) };
}

/** `:validation => :nettest_server_address`: `host:port`. */
export default defineValidator({
  name: "nettest_server_address",
  description: "Validates that a hostname and port combination is both a valid hostname and a valid port",
  create: () => ({
    validate(value) {
      parseServerAddress(value);
    },
  }),
});
