import { defineAgentDdl, RubyRegex } from "@phobos/core";

/**
 * The `run` action of Choria's shell agent (`choria-plugins/shell-agent`
 * 1.1.0) with its inputs and outputs under the same names and types, so a
 * Choria or Ruby client's `mco rpc shell run command=…` works unchanged;
 * `shell` and `truncated` are Phobos's additions. The background-job
 * actions (start, status, kill, list, statuses) are not offered: see the
 * README.
 */
export default defineAgentDdl({
  metadata: {
    name: "shell",
    description: "Run commands with the local shell",
    author: "Phobos, after Puppet Labs' and Choria's shell agent",
    license: "Apache-2.0",
    version: "1.1.0",
    url: "https://github.com/choria-plugins/shell-agent",
    timeout: 180,
  },
  actions: {
    run: {
      description: "Run a command",
      display: "always",
      input: {
        command: {
          prompt: "Command",
          description: "Command to run",
          type: "string",
          validation: new RubyRegex(".*"),
          maxlength: 10 * 1024,
          optional: false,
        },
        user: {
          prompt: "User",
          description: "User to run command as",
          type: "string",
          validation: new RubyRegex(".*"),
          maxlength: 1024,
          optional: true,
        },
        timeout: {
          prompt: "Timeout",
          description: "Timeout to wait for the command to complete",
          type: "float",
          optional: true,
        },
        shell: {
          prompt: "Shell",
          description: "Run the command through /bin/sh -c instead of as an argument vector",
          type: "boolean",
          optional: true,
        },
      },
      output: {
        stdout: { description: "stdout from the command", display_as: "stdout" },
        stderr: { description: "stderr from the command", display_as: "stderr" },
        success: { description: "did the process exit successfully", display_as: "success" },
        exitcode: { description: "exit code of the command", display_as: "exitcode" },
        truncated: {
          description: "was output beyond plugin.shell.max_output discarded",
          display_as: "truncated",
        },
      },
    },
  },
});
