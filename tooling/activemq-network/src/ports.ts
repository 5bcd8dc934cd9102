/**
 * The suite's TCP ports, fixed so that two suites on one machine never race for
 * a "free" one: PHOBOS_AMQ_NETWORK_PORT_BASE (default 44400) plus 1 and 2 for
 * the brokers' STOMP listeners, plus 11 and 12 for their OpenWire ones.
 */
export interface NetworkPorts {
  readonly stomp: readonly [number, number];
  readonly openwire: readonly [number, number];
}

export function networkPorts(env: NodeJS.ProcessEnv = process.env): NetworkPorts {
  const text = env.PHOBOS_AMQ_NETWORK_PORT_BASE ?? "44400";
  const base = Number(text);
  if (!(Number.isInteger(base) && base > 0 && base + 12 < 65536)) {
    throw new Error(`PHOBOS_AMQ_NETWORK_PORT_BASE=${text} is not a TCP port (base + 12 must be one too)`);
  }
  return { stomp: [base + 1, base + 2], openwire: [base + 11, base + 12] };
}
