/**
 * `mco plugin package DIR` on a Ruby MCollective plugin directory (agent/,
 * application/, a DDL): both mcos refuse it with exit 1 (Ruby for want of
 * debuild, Phobos because it packs npm packages), and Phobos's one line says
 * what it expects and how to put the DDL in the libdir. Done as it says, the
 * agent is documented by both mcos from that libdir, word for word.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBIAN_PLUGIN_DIR, runRubyMco, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DDL = `metadata :name => "weather",
         :description => "Weather reports",
         :author => "Ops",
         :license => "ASL 2.0",
         :version => "1.0",
         :url => "http://example.com",
         :timeout => 10

action "forecast", :description => "Tomorrow's weather" do
     input :city,
           :prompt => "City",
           :description => "The city",
           :type => :string,
           :validation => '^\\w+$',
           :optional => false,
           :maxlength => 30

     output :summary,
            :description => "The forecast",
            :display_as => "Summary"
end
`;

let dir: string;
let libdir: string;
let configFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mco-plugin-package-"));
  libdir = join(dir, "libdir");
  mkdirSync(libdir);
  const plugin = join(dir, "weather");
  mkdirSync(join(plugin, "agent"), { recursive: true });
  mkdirSync(join(plugin, "application"), { recursive: true });
  writeFileSync(join(plugin, "agent", "weather.ddl"), DDL);
  writeFileSync(
    join(plugin, "agent", "weather.rb"),
    "module MCollective\n  module Agent\n    class Weather<RPC::Agent\n    end\n  end\nend\n",
  );
  writeFileSync(
    join(plugin, "application", "weather.rb"),
    "class MCollective::Application::Weather<MCollective::Application\nend\n",
  );
  configFile = await writeClientConfig(join(dir, "config"), {
    identity: "plugin-package-client",
    broker: { connector: "rabbitmq", pool: [{ host: "127.0.0.1", port: 1, user: "u", password: "p" }] },
    security: { provider: "psk", psk: "plugin-package" },
    libdir: [libdir, DEBIAN_PLUGIN_DIR],
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mco plugin package on a Ruby plugin directory", () => {
  it("fails as Ruby's does, says what it expects, and its advice makes the agent callable", async () => {
    const [ruby, phobos] = await Promise.all([
      runRubyMco(["plugin", "package", "weather"], { configFile, cwd: dir }),
      runRubyMco(["plugin", "package", "weather"], { configFile, cwd: dir, implementation: "phobos" }),
    ]);
    expect(ruby.code).toBe(1);
    expect(phobos.code).toBe(ruby.code);
    expect(phobos.stdout).toBe("");
    expect(phobos.stderr).toMatch(
      /^mco plugin: \S+\/weather is a Ruby MCollective plugin \(agent\/weather\.ddl, agent\/weather\.rb, application\/weather\.rb\): .*"mcollective" manifest.*\n$/,
    );
    const advice = /DDL-only entries: (.*)\n$/.exec(phobos.stderr)?.[1];
    expect(advice).toBe(
      `mkdir -p ${libdir}/mcollective/agent && cp weather/agent/weather.ddl ${libdir}/mcollective/agent/`,
    );

    const done = spawnSync("sh", ["-c", advice as string], { cwd: dir, encoding: "utf8" });
    expect(done.status, done.stderr).toBe(0);
    const [rubyDoc, phobosDoc] = await Promise.all([
      runRubyMco(["plugin", "doc", "agent/weather"], { configFile }),
      runRubyMco(["plugin", "doc", "agent/weather"], { configFile, implementation: "phobos" }),
    ]);
    expect(rubyDoc.stdout).toContain("Tomorrow's weather");
    expect({ code: phobosDoc.code, stdout: phobosDoc.stdout }).toEqual({ code: 0, stdout: rubyDoc.stdout });
  });
});
