import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";

/**
 * What MCollective's filemgr `status` and fstat data plugin report for a path
 * that is not there, before either looks: every field, zeroed. A present
 * file then overwrites what it has.
 */
export function absentFileStatus(name: string): Record<string, number | string> {
  return {
    name,
    output: "not present",
    type: "unknown",
    mode: "0000",
    present: 0,
    size: 0,
    mtime: 0,
    ctime: 0,
    atime: 0,
    mtime_seconds: 0,
    ctime_seconds: 0,
    atime_seconds: 0,
    md5: 0,
    uid: 0,
    gid: 0,
  };
}

/** What Ruby's `File::Stat#ftype` calls a file, in the words MCollective's agents report. */
export function fileType(s: Stats): string {
  if (s.isSymbolicLink()) return "symlink";
  if (s.isDirectory()) return "directory";
  if (s.isFile()) return "file";
  if (s.isSocket()) return "socket";
  if (s.isCharacterDevice()) return "chardev";
  if (s.isBlockDevice()) return "blockdev";
  return "unknown";
}

/** The hex md5 of a file's contents, streamed: agents may be asked about large files. */
export function md5File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("md5");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}
