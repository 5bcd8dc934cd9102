/**
 * @phobos/core's security conformance suite, on each combination the plugin
 * offers: RSA keys with Marshal and with YAML (what Ruby MCollective uses),
 * Ed25519 keys, and Ed25519 with encrypted bodies.
 */
import { describeSecurityPlugin } from "@phobos/testing";
import { afterAll, describe } from "vitest";
import { createKeySite, type KeySite } from "./__fixtures__/key-site.js";
import ssl from "./security.js";

const sites: KeySite[] = [];
afterAll(() => {
  for (const site of sites) site.remove();
});

/** Settings as the plugin sees them (the harness adds `plugin.ssl.`); `ssl_*` names are MCollective's. */
function suite(name: string, options: { type: "rsa" | "ed25519"; serializer: string; encrypt?: boolean }) {
  describe(name, () => {
    const site = createKeySite(options.type);
    sites.push(site);
    const user = site.user("client-example", { type: options.type });
    const common = { ssl_serializer: options.serializer, ...(options.encrypt ? { encrypt: "1" } : {}) };
    describeSecurityPlugin({
      definition: ssl,
      identity: "client.example.com",
      settings: {
        ...common,
        ssl_server_public: site.serverPublic,
        ssl_client_private: user.privatePath,
        ssl_client_public: user.publicPath,
      },
      serverSettings: {
        ...common,
        ssl_server_private: site.serverPrivate,
        ssl_server_public: site.serverPublic,
        ssl_client_cert_dir: site.certDir,
      },
    });
  });
}

suite("RSA keys, Marshal (MCollective's default)", { type: "rsa", serializer: "marshal" });
suite("RSA keys, YAML", { type: "rsa", serializer: "yaml" });
suite("Ed25519 keys, Marshal", { type: "ed25519", serializer: "marshal" });
suite("Ed25519 keys, YAML, encrypted bodies", { type: "ed25519", serializer: "yaml", encrypt: true });
