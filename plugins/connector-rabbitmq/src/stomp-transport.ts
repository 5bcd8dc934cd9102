import type { Logger, PluginSettings } from "@phobos/core";
import {
  readHeartbeat,
  readMaxMessageSize,
  readPool,
  readReconnectPolicy,
  StompTransport,
} from "@phobos/stomp-client";
import type { MessageTransport } from "./transport.js";

export interface TransportSetup {
  settings: PluginSettings;
  log: Logger;
  identity: string;
  mode: "client" | "server";
  explainError: (reason: string) => string | undefined;
}

/** RabbitMQ's STOMP adapter (port 61613), as Ruby MCollective's rabbitmq connector uses it. */
export function createStompTransport({ settings, log, explainError }: TransportSetup): MessageTransport {
  const { heartbeatMs, acceptVersion } = readHeartbeat(settings, log);
  const maxMessage = readMaxMessageSize(settings);
  const stomp = new StompTransport({
    hosts: readPool(settings, process.env, log, "RABBITMQ"),
    vhost: settings.string("vhost", "/"),
    acceptVersion,
    heartbeatMs,
    randomize: settings.boolean("randomize", false),
    reconnect: readReconnectPolicy(settings),
    connectTimeoutMs: settings.integer("connect_timeout", 30) * 1000,
    log,
    brokerName: "RabbitMQ",
    explainError,
    maxMessageBytes: maxMessage.bytes,
    maxMessageSetting: maxMessage.setting,
  });
  return {
    describe: () => stomp.describe(),
    connect: (timeoutMs) => stomp.connect(timeoutMs),
    disconnect: () => stomp.disconnect(),
    subscribe: async (destination, headers) => stomp.subscribe(destination, headers),
    unsubscribe: async (id) => stomp.unsubscribe(id),
    send: async (destination, headers, body, ttlSeconds) =>
      stomp.send(destination, headers, body, ttlSeconds),
    onMessage: (handler) => stomp.onMessage(handler),
    onState: (handler) => stomp.onState(handler),
  };
}
