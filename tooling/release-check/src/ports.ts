import net from "node:net";

/**
 * A free TCP port on loopback within [from, to]: this machine's helpers and
 * CI jobs each own a port range, so a test never takes an ephemeral port
 * another suite may be about to use.
 */
export async function freePortIn(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free TCP port on 127.0.0.1 between ${from} and ${to}`);
}

/** The port range of these checks (PHOBOS_RELEASE_PORTS=from-to overrides the default 44700-44799). */
export function releasePortRange(): { from: number; to: number } {
  const m = /^(\d+)-(\d+)$/.exec(process.env.PHOBOS_RELEASE_PORTS ?? "44700-44799");
  if (!m) throw new Error(`PHOBOS_RELEASE_PORTS must be FROM-TO, not ${process.env.PHOBOS_RELEASE_PORTS}`);
  return { from: Number(m[1]), to: Number(m[2]) };
}
