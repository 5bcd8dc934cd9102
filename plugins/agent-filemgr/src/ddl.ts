import { type DdlInputSpec, defineAgentDdl, RubyRegex } from "@phobos/core";

const fileInput = (description: string): DdlInputSpec => ({
  prompt: "File",
  description,
  type: "string",
  validation: new RubyRegex("^.+$"),
  optional: true,
  maxlength: 256,
});

const outputs: [string, string, string][] = [
  ["name", "File name", "Name"],
  ["output", "Human readable information about the file", "Status"],
  ["present", "Indicates if the file exist using 0 or 1", "Present"],
  ["size", "File size", "Size"],
  ["mode", "File mode", "Mode"],
  ["md5", "File MD5 digest", "MD5"],
  ["mtime", "File modification time", "Modification time"],
  ["ctime", "File change time", "Change time"],
  ["atime", "File access time", "Access time"],
  ["mtime_seconds", "File modification time in seconds", "Modification time"],
  ["ctime_seconds", "File change time in seconds", "Change time"],
  ["atime_seconds", "File access time in seconds", "Access time"],
  ["uid", "File owner", "Owner"],
  ["gid", "File group", "Group"],
  ["type", "File type", "Type"],
  ["dir_listing", "Directory Listing", "Directory Listing"],
];

/** The filemgr interface of choria-legacy/mcollective-filemgr-agent 1.1.0: Ruby clients send these names. */
export default defineAgentDdl({
  metadata: {
    name: "filemgr",
    description: "File Manager",
    author: "Mike Pountney <mike.pountney@gmail.com>",
    license: "ASL 2.0",
    version: "1.1.0",
    url: "http://www.puppetlabs.com/mcollective",
    timeout: 5,
  },
  requires: { mcollective: "2.2.1" },
  actions: {
    touch: {
      description: "Creates an empty file or touch it's timestamp",
      display: "failed",
      input: { file: fileInput("File to touch") },
      output: {},
    },
    remove: {
      description: "Removes a file",
      display: "failed",
      input: { file: fileInput("File to remove") },
      output: {},
    },
    status: {
      description: "Basic information about a file",
      display: "always",
      input: {
        file: fileInput("File to get information for"),
        dirlist: {
          prompt: "List directory contents?",
          description: "If file is a directory, show a contents listing?",
          type: "boolean",
          optional: true,
        },
      },
      output: Object.fromEntries(
        outputs.map(([name, description, display_as]) => [name, { description, display_as }]),
      ),
    },
  },
});
