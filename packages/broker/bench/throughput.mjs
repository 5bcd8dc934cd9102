#!/usr/bin/env node
// Fan-out throughput and latency: one publisher, N subscribers on a topic
// exchange, M messages of ~400 bytes (an MCollective request's size), for the
// embedded broker and for RabbitMQ's STOMP plugin, side by side, with the same
// raw-socket client. Runs on the built package: `npx tsc -p tsconfig.build.json`
// first. The embedded broker runs in its own process, as RabbitMQ does.
//
//   node bench/throughput.mjs [--messages 10000] [--subscribers 1,10,100]
//                             [--size 400] [--window 100] [--rabbitmq 127.0.0.1:61613] [--no-rabbitmq]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const dist = new URL("../dist/", import.meta.url);

async function main() {
  const { values } = parseArgs({
    options: {
      messages: { type: "string", default: "10000" },
      subscribers: { type: "string", default: "1,10,100" },
      size: { type: "string", default: "400" },
      window: { type: "string", default: "100" },
      rabbitmq: { type: "string", default: "127.0.0.1:61613" },
      "no-rabbitmq": { type: "boolean", default: false },
    },
  });
  const { FrameParser } = await import(new URL("frame-parser.js", dist).href);
  const messages = Number(values.messages);
  const size = Number(values.size);
  const window = Number(values.window);
  const counts = values.subscribers.split(",").map(Number);

  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const embeddedPort = await new Promise((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve(Number(String(chunk).trim())));
    child.once("exit", (code) => reject(new Error(`embedded broker exited (${code}); build first`)));
  });
  const [rabbitHost, rabbitPort] = values.rabbitmq.split(":");
  const targets = [{ name: "embedded", host: "127.0.0.1", port: embeddedPort }];
  if (!values["no-rabbitmq"]) targets.push({ name: "rabbitmq", host: rabbitHost, port: Number(rabbitPort) });

  console.log(`${messages} messages of ${size} bytes, publish window ${window}, node ${process.version}`);
  console.log("broker     subscribers  deliveries   delivered/s    p50 ms    p99 ms   seconds");
  try {
    for (const n of counts) {
      for (const target of targets) {
        const result = await run(target, n, messages, size, window, FrameParser);
        console.log(
          [
            target.name.padEnd(10),
            String(n).padStart(11),
            String(result.deliveries).padStart(11),
            Math.round(result.rate).toLocaleString("en").padStart(13),
            result.p50.toFixed(2).padStart(9),
            result.p99.toFixed(2).padStart(9),
            result.seconds.toFixed(2).padStart(9),
          ].join(" "),
        );
      }
    }
  } finally {
    child.kill("SIGTERM");
  }
}

async function run(target, subscriberCount, messages, size, window, FrameParser) {
  const key = `phobos.bench.${randomBytes(4).toString("hex")}`;
  const destination = `/exchange/amq.topic/${key}`;
  const received = new Array(subscriberCount).fill(0);
  const latencies = new Float64Array(messages * subscriberCount);
  let latencyCount = 0;
  let lastReceive = 0;
  let onProgress = () => {};

  const subscribers = [];
  for (let i = 0; i < subscriberCount; i++) {
    const client = await Client.open(target, FrameParser, (frame) => {
      if (frame.command !== "MESSAGE") return;
      const now = performance.now();
      const sent = Number(frame.body.toString("latin1", 0, 20));
      latencies[latencyCount++] = now - sent;
      received[i]++;
      lastReceive = now;
      onProgress();
    });
    await client.request("SUBSCRIBE", [["destination", destination]]);
    subscribers.push(client);
  }
  const publisher = await Client.open(target, FrameParser, () => {});

  const padding = "x".repeat(Math.max(0, size - 20));
  const minReceived = () => {
    let min = Number.POSITIVE_INFINITY;
    for (const count of received) if (count < min) min = count;
    return min;
  };
  const started = performance.now();
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      const floor = minReceived();
      if (floor === messages) return resolve();
      // Keep at most `window` messages in flight to the slowest subscriber: no broker gets
      // flooded past its flow control, and latency measures the broker, not a backlog.
      const batch = [];
      while (sent < messages && sent - floor < window) {
        const body = `${performance.now().toFixed(6).padStart(20, "0")}${padding}`;
        batch.push(
          `SEND\ndestination:${destination}\ncontent-type:text/plain\ncontent-length:${Buffer.byteLength(body)}\n\n${body}\0`,
        );
        sent++;
      }
      if (batch.length > 0) publisher.socket.write(batch.join(""));
    };
    onProgress = pump;
    pump();
  });
  const elapsed = (lastReceive - started) / 1000;
  for (const client of [...subscribers, publisher]) client.socket.destroy();
  const sorted = latencies.subarray(0, latencyCount).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    deliveries: latencyCount,
    rate: latencyCount / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    seconds: elapsed,
  };
}

class Client {
  static open(target, FrameParser, onFrame) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      const client = new Client(socket, FrameParser, onFrame);
      socket.once("error", reject);
      socket.once("connect", async () => {
        const connected = await client.request("CONNECT", [
          ["accept-version", "1.0"],
          ["login", "guest"],
          ["passcode", "guest"],
        ]);
        if (connected.command !== "CONNECTED") reject(new Error(connected.body.toString()));
        else resolve(client);
      });
    });
  }

  constructor(socket, FrameParser, onFrame) {
    this.socket = socket;
    this.waiting = [];
    const parser = new FrameParser({ maxFrameSize: 1 << 24, maxHeaders: 1000, maxHeaderBytes: 1 << 20 });
    socket.on("data", (chunk) => {
      parser.push(chunk);
      for (let frame = parser.next(); frame; frame = parser.next()) {
        if (frame instanceof Error) throw frame;
        if (frame.command === "CONNECTED" || frame.command === "RECEIPT" || frame.command === "ERROR") {
          this.waiting.shift()?.(frame);
        } else onFrame(frame);
      }
    });
  }

  /** Sends a frame and resolves with the broker's answer (CONNECTED, or the RECEIPT asked for). */
  request(command, headers) {
    const receipt = command === "CONNECT" ? [] : [["receipt", "r"]];
    const lines = [...headers, ...receipt].map(([k, v]) => `${k}:${v}\n`).join("");
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(`${command}\n${lines}\n\0`);
    });
  }
}

if (process.argv[2] === "--serve") {
  // Child mode: the embedded broker alone in this process.
  const { startBroker } = await import(new URL("index.js", dist).href);
  const broker = await startBroker({ port: 0 });
  process.stdout.write(`${broker.port}\n`);
  process.on("SIGTERM", () => broker.close().then(() => process.exit(0)));
} else {
  await main();
}
