/**
 * The connector conformance suite of @phobos/testing against a real
 * ActiveMQ 5.17 (Debian's, configured by tooling/scripts/activemq-instance.sh
 * exactly as the provisioned one) that this file starts for itself: the
 * suite's "broker drops the connection" check restarts it, which the shared
 * broker other tests use must not suffer. The suite connects as the
 * `mcollective` user, which the broker's authorization map allows only
 * `mcollective.>`: what the README tells operators to configure.
 */

import { type PrivateActiveMq, startPrivateActiveMq } from "@phobos/interop";
import { describeConnectorPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe } from "vitest";
import activemq from "./connector.js";

describe("against ActiveMQ", () => {
  const settings: Record<string, string> = {
    "pool.size": "1",
    "pool.1.host": "127.0.0.1",
    "pool.1.user": "mcollective",
    // Quick reconnects: the suite restarts the broker on purpose.
    initial_reconnect_delay: "0.05",
    max_reconnect_delay: "0.5",
  };
  let broker: PrivateActiveMq | undefined;

  beforeAll(async () => {
    broker = await startPrivateActiveMq();
    settings["pool.1.port"] = String(broker.port);
    settings["pool.1.password"] = broker.endpoint.password;
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  describeConnectorPlugin({
    definition: activemq,
    settings,
    async dropConnections() {
      await broker?.stop();
      await broker?.start();
    },
  });
});
