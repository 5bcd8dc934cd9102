import { defineDataDdl, RubyRegex } from "@phobos/core";

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
  ["mtime_age", "File modification age in seconds", "Modification age"],
  ["ctime_age", "File change age in seconds", "Change age"],
  ["atime_age", "File access age in seconds", "Access age"],
  ["uid", "File owner", "Owner"],
  ["gid", "File group", "Group"],
  ["type", "File type", "Type"],
];

export default defineDataDdl({
  metadata: {
    name: "File Stat",
    description: "Retrieve file stat data for a given file",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.0",
    url: "https://docs.puppetlabs.com/mcollective/",
    timeout: 1,
  },
  dataquery: {
    description: "File stat information",
    input: {
      query: {
        prompt: "File Name",
        description: "Valid File Name",
        type: "string",
        validation: new RubyRegex(".+", "", true),
        maxlength: 120,
        optional: false,
      },
    },
    output: Object.fromEntries(
      outputs.map(([name, description, display_as]) => [name, { description, display_as }]),
    ),
  },
});
