import { defineData } from "@phobos/core";
import { resolveHost } from "../hostname.js";
import { tcpConnect } from "../probes.js";
import { readSettings } from "../settings.js";
import { parseServerAddress } from "../validators/nettest-server-address.js";

/** `nettest('host:port').connect`: whether this node can open a TCP connection there. */
export default defineData({
  name: "nettest",
  description: "Checks if connecting to a host on a specified port is possible",
  create: (ctx) => {
    const settings = readSettings(ctx.settings);
    return {
      async query(argument) {
        const { host, port } = parseServerAddress(argument);
        const address = await resolveHost(host);
        if (address === undefined || port < 1 || port > 65535) return { connect: false };
        // The data plugin's own timeout is 1 s: answer before it.
        const outcome = await tcpConnect(address, port, Math.min(settings.connectTimeout, 0.9));
        return { connect: outcome.connected };
      },
    };
  },
});
