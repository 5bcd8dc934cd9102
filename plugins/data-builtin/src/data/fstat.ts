import type { Stats } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import { type DataValue, defineData } from "@phobos/core";
import { absentFileStatus, fileType, md5File } from "@phobos/server";

const pad = (n: number) => String(n).padStart(2, "0");
/** Ruby's `strftime("%F %T")` in local time. */
const rubyTime = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** `fstat('/etc/hosts').size`: what `File.stat` says about a path, as MCollective's fstat data plugin. */
export default defineData({
  name: "fstat",
  description: "Retrieve file stat data for a given file",
  create: () => ({
    async query(argument) {
      const file = String(argument);
      const result: Record<string, DataValue> = absentFileStatus(file);
      let s: Stats;
      try {
        const link = await lstat(file);
        s = link.isSymbolicLink() ? link : await stat(file);
        // File.exists? follows links: a dangling link is "not present"
        if (link.isSymbolicLink()) await stat(file);
      } catch {
        return result;
      }
      const now = Math.floor(Date.now() / 1000);
      result.output = "present";
      result.present = 1;
      result.size = s.size;
      result.uid = s.uid;
      result.gid = s.gid;
      for (const [key, time] of [
        ["mtime", s.mtime],
        ["ctime", s.ctime],
        ["atime", s.atime],
      ] as const) {
        const seconds = Math.floor(time.getTime() / 1000);
        result[key] = rubyTime(time);
        result[`${key}_seconds`] = seconds;
        result[`${key}_age`] = now - seconds;
      }
      result.mode = s.mode.toString(8);
      if (s.isFile()) result.md5 = await md5File(file);
      result.type = fileType(s);
      return result;
    },
  }),
});
