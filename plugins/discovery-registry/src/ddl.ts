import { defineDiscoveryDdl } from "@phobos/core";

/**
 * No waiting for replies: the answer is in the database. Compound filters
 * are evaluated here, on the stored facts and classes, except data functions.
 */
export default defineDiscoveryDdl({
  metadata: {
    name: "registry",
    description: "Discovery from the node registry",
    author: "Phobos",
    license: "Apache-2.0",
    version: "0.1.0",
    url: "https://github.com/choria-legacy/marionette-collective",
    timeout: 0,
  },
  discovery: { capabilities: ["classes", "facts", "identity", "agents", "compound"] },
});
