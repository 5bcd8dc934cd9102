export * from "./mcollective-vhost.js";
export * from "./rabbitmq-admin.js";
