import { defineConnector } from "@phobos/core";
import { bus } from "./loopback-bus.js";

export default defineConnector({
  name: "loopback",
  create: () => ({
    describe: () => "loopback://test",
    async connect() {
      bus.connected = true;
    },
    async disconnect() {
      bus.connected = false;
      bus.disconnects++;
    },
    onMessage(handler) {
      bus.deliver = handler;
    },
    async subscribe(sub) {
      bus.subscriptions.push(sub);
    },
    async unsubscribe(sub) {
      bus.subscriptions = bus.subscriptions.filter((s) => JSON.stringify(s) !== JSON.stringify(sub));
    },
    async publish(message) {
      bus.published.push(message);
    },
  }),
});
