import net from "node:net";

/** The RabbitMQ the provision script sets up: the reference the broker is compared with. */
export const RABBITMQ = {
  host: "127.0.0.1",
  port: Number(process.env.RABBITMQ_STOMP_PORT ?? 61613),
  managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672",
  user: "guest",
  password: "guest",
} as const;

const auth = `Basic ${Buffer.from(`${RABBITMQ.user}:${RABBITMQ.password}`).toString("base64")}`;

/** Fails the test with the fix when RabbitMQ is not there; never skips. */
export async function requireRabbitMq(): Promise<void> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: RABBITMQ.host, port: RABBITMQ.port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (!reachable) {
    throw new Error(
      `RabbitMQ's STOMP listener is not reachable at ${RABBITMQ.host}:${RABBITMQ.port}: run \`sh tooling/scripts/provision.sh\``,
    );
  }
}

async function management(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${RABBITMQ.managementUrl}/api${path}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok && !(method === "DELETE" && response.status === 404)) {
    throw new Error(`RabbitMQ management ${method} ${path}: ${response.status} ${await response.text()}`);
  }
}

const vhostPath = (vhost: string) => encodeURIComponent(vhost);

export function declareRabbitExchange(name: string, type: "topic" | "direct", vhost = "/"): Promise<void> {
  return management("PUT", `/exchanges/${vhostPath(vhost)}/${encodeURIComponent(name)}`, {
    type,
    durable: false,
    auto_delete: false,
  });
}

export function deleteRabbitExchange(name: string, vhost = "/"): Promise<void> {
  return management("DELETE", `/exchanges/${vhostPath(vhost)}/${encodeURIComponent(name)}`);
}

export function deleteRabbitQueue(name: string, vhost = "/"): Promise<void> {
  return management("DELETE", `/queues/${vhostPath(vhost)}/${encodeURIComponent(name)}`);
}
