import { type DdlActionSpec, defineAgentDdl } from "@phobos/core";

const out = (description: string, display_as: string) => ({ description, display_as });

const packageInput = (description: string) => ({
  prompt: "Package Name",
  description,
  type: "string" as const,
  validation: "shellsafe",
  optional: false,
  maxlength: 90,
});

const statusOutputs = {
  output: out("Output from the package manager", "Output"),
  epoch: out("Package epoch number", "Epoch"),
  arch: out("Package architecture", "Arch"),
  ensure: out("Full package version", "Ensure"),
  version: out("Version number", "Version"),
  provider: out("Provider used to retrieve information", "Provider"),
  name: out("Package name", "Name"),
  release: out("Package release number", "Release"),
};

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function changeAction(act: "install" | "update" | "uninstall" | "purge"): DdlActionSpec {
  return {
    description: `${capitalize(act)} a package`,
    input: {
      package: packageInput(`Package to ${act}`),
      ...(act === "install"
        ? {
            version: {
              prompt: "Package version",
              description: `Version of package to ${act}`,
              type: "string" as const,
              validation: "shellsafe",
              optional: true,
              maxlength: 90,
            },
          }
        : {}),
    },
    output: statusOutputs,
    aggregate: [{ function: "summary", args: ["ensure"] }],
  };
}

const checkupdatesOutputs = (tool: string, command: string) => ({
  output: out(`Output from ${tool}`, "Output"),
  outdated_packages: out("Outdated packages", "Outdated Packages"),
  exitcode: out(`The exitcode from the ${command} command`, "Exit Code"),
});

/**
 * The package agent's interface as `choria-legacy/mcollective-package-agent`
 * 4.7.0 declares it, so Ruby clients with that DDL and Phobos clients with
 * this one drive the same daemons with the same words.
 */
export default defineAgentDdl({
  metadata: {
    name: "package",
    description: "Install and uninstall software packages",
    author: "R.I.Pienaar",
    license: "ASL 2.0",
    version: "4.7.0",
    url: "https://github.com/puppetlabs/mcollective-package-agent",
    timeout: 180,
  },
  requires: { mcollective: "2.2.1" },
  actions: {
    install: changeAction("install"),
    update: changeAction("update"),
    uninstall: changeAction("uninstall"),
    purge: changeAction("purge"),
    status: {
      description: "Get the status of a package",
      display: "always",
      input: { package: packageInput("Package to retrieve the status of") },
      output: statusOutputs,
      aggregate: [
        { function: "summary", args: ["ensure"] },
        { function: "summary", args: ["arch"] },
      ],
    },
    count: {
      description: "Get number of packages installed",
      output: {
        output: out("Count of packages installed", "Count"),
        exitcode: out("The exitcode from the rpm/dpkg command", "Exit Code"),
      },
      aggregate: [{ function: "summary", args: ["output"] }],
    },
    md5: {
      description: "Get md5 digest of list of packages installed",
      output: {
        output: out("md5 of list of packages installed", "MD5"),
        exitcode: out("The exitcode from the rpm/dpkg command", "Exit Code"),
      },
      aggregate: [{ function: "summary", args: ["output"] }],
    },
    yum_clean: {
      description: "Clean the YUM cache",
      input: {
        mode: {
          prompt: "Yum clean mode",
          description: "One of the various supported clean modes",
          type: "list",
          optional: true,
          list: ["all", "headers", "packages", "metadata", "dbcache", "plugins", "expire-cache"],
        },
      },
      output: {
        output: out("Output from YUM", "Output"),
        exitcode: out("The exitcode from the yum command", "Exit Code"),
      },
    },
    apt_update: {
      description: "Update the apt cache",
      output: {
        output: out("Output from apt-get", "Output"),
        exitcode: out("The exitcode from the apt-get command", "Exit Code"),
      },
    },
    yum_checkupdates: {
      description: "Check for YUM updates",
      display: "always",
      output: checkupdatesOutputs("YUM", "yum"),
    },
    apt_checkupdates: {
      description: "Check for APT updates",
      display: "always",
      output: checkupdatesOutputs("APT", "apt"),
    },
    checkupdates: {
      description: "Check for updates",
      display: "always",
      output: {
        package_manager: out("The detected package manager", "Package Manager"),
        ...checkupdatesOutputs("Package Manager", "package manager"),
      },
    },
  },
});
