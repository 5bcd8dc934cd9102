import net from "node:net";
import { Client, type IFrame, type IStompSocket, Versions } from "@stomp/stompjs";

/**
 * @stomp/stompjs speaks STOMP over WebSockets; this gives it a plain TCP
 * socket dressed as one, so the tests can use a third-party client against
 * the broker's TCP listener.
 */
export function tcpWebSocket(port: number, host = "127.0.0.1"): IStompSocket {
  const socket = net.connect({ host, port });
  const ws: IStompSocket & { readyState: number } = {
    url: `tcp://${host}:${port}`,
    binaryType: "arraybuffer",
    readyState: 0,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send(data) {
      if (typeof data === "string") socket.write(data, "utf8");
      else if (ArrayBuffer.isView(data))
        socket.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      else if (data instanceof ArrayBuffer) socket.write(Buffer.from(data));
      else throw new TypeError("tcpWebSocket: Blob bodies are not supported");
    },
    close() {
      ws.readyState = 2;
      socket.end();
    },
    terminate() {
      socket.destroy();
    },
  };
  socket.setNoDelay(true);
  socket.on("connect", () => {
    ws.readyState = 1;
    ws.onopen?.({});
  });
  socket.on("data", (chunk: Buffer) => {
    const data = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
    ws.onmessage?.({ data });
  });
  socket.on("error", (error) => ws.onerror?.(error));
  socket.on("close", () => {
    ws.readyState = 3;
    ws.onclose?.({ code: 1000, reason: "", wasClean: true });
  });
  return ws;
}

export interface StompJsOptions {
  readonly port: number;
  readonly login?: string;
  readonly passcode?: string;
  readonly vhost?: string;
  /** e.g. ["1.0"] for a STOMP 1.0 session. */
  readonly versions?: readonly string[];
  readonly heartbeat?: { readonly incoming: number; readonly outgoing: number };
}

/** A connected stompjs client; rejects with the broker's ERROR text if the CONNECT is refused. */
export function connectStompJs(options: StompJsOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client({
      webSocketFactory: () => tcpWebSocket(options.port),
      connectHeaders: {
        login: options.login ?? "guest",
        passcode: options.passcode ?? "guest",
        host: options.vhost ?? "/",
      },
      forceBinaryWSFrames: true,
      appendMissingNULLonIncoming: false,
      reconnectDelay: 0,
      heartbeatIncoming: options.heartbeat?.incoming ?? 0,
      heartbeatOutgoing: options.heartbeat?.outgoing ?? 0,
      ...(options.versions ? { stompVersions: new Versions([...options.versions]) } : {}),
      debug: () => {},
      onConnect: () => resolve(client),
      onStompError: (frame: IFrame) => reject(new Error(`${frame.headers.message}: ${frame.body}`)),
      onWebSocketClose: () => reject(new Error("connection closed before CONNECTED")),
    });
    client.activate();
  });
}
