import type { Stats } from "node:fs";
import { lstat, open, readdir, stat, unlink, utimes } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { defineAgent, RpcAbortedError, type RpcReply, type RpcRequest, rubyTimeToS } from "@phobos/core";
import { absentFileStatus, fileType, md5File } from "@phobos/server";
import { rubyErrnoText } from "./errno.js";

/** MCollective's default when neither the request nor `plugin.filemgr.touch_file` names a file. */
export const DEFAULT_TOUCH_FILE = "/var/run/mcollective.plugin.filemgr.touch";

/** `stat` that answers undefined for "not there" and throws anything else. */
async function statOrNothing(path: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return follow ? await stat(path) : await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw err;
  }
}

function createFilemgr(ctx: import("@phobos/core").ServerPluginContext) {
  const defaultFile = ctx.settings.string("touch_file", DEFAULT_TOUCH_FILE);

  /**
   * The file a request names, or the configured default. Relative paths
   * would be relative to wherever the daemon was started: refused.
   */
  const fileFor = (request: RpcRequest): string => {
    const file = typeof request.data.file === "string" ? request.data.file : defaultFile;
    if (file.includes("\0")) throw new RpcAbortedError("file names cannot contain NUL bytes");
    if (!isAbsolute(file)) throw new RpcAbortedError(`'${file}' is not an absolute path`);
    return file;
  };

  return {
    actions: {
      async touch(request: RpcRequest, reply: RpcReply) {
        const file = fileFor(request);
        try {
          const now = new Date();
          try {
            await utimes(file, now, now);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
            await (await open(file, "a")).close();
          }
          ctx.log.debug(`Touched file '${file}'`);
        } catch (err) {
          const text = rubyErrnoText(err, file);
          ctx.log.warn(`Could not touch file '${file}': ${text}`);
          reply.fail(`Could not touch file '${file}': ${text}`);
        }
      },

      async remove(request: RpcRequest, reply: RpcReply) {
        const file = fileFor(request);
        // A dangling symlink is still something to remove.
        if ((await statOrNothing(file, false).catch(() => undefined)) === undefined) {
          ctx.log.debug(`Asked to remove file '${file}', but it does not exist`);
          reply.fail(`Could not remove file '${file}' - it is not present`);
          return;
        }
        try {
          await unlink(file);
          ctx.log.debug(`Removed file '${file}'`);
          reply.statusmsg = "OK";
        } catch (err) {
          const text = rubyErrnoText(err, file);
          ctx.log.warn(`Could not remove file '${file}': ${text}`);
          reply.fail(`Could not remove file '${file}': ${text}`);
        }
      },

      async status(request: RpcRequest, reply: RpcReply) {
        const file = fileFor(request);
        Object.assign(reply.data, absentFileStatus(file));
        let s: Stats | undefined;
        try {
          // Present means the link resolves (File.exists?); a link itself is then described.
          if ((await statOrNothing(file, true)) !== undefined) s = await lstat(file);
        } catch (err) {
          reply.fail(`Could not get the status of '${file}': ${rubyErrnoText(err, file)}`);
          return;
        }
        if (s === undefined) {
          ctx.log.debug(`Asked for status of '${file}' - it is not present`);
          reply.fail(`${file} does not exist`);
          return;
        }
        ctx.log.debug(`Asked for status of '${file}' - it is present`);
        Object.assign(reply.data, {
          output: "present",
          present: 1,
          size: s.size,
          uid: s.uid,
          gid: s.gid,
          mtime: rubyTimeToS(s.mtime),
          ctime: rubyTimeToS(s.ctime),
          atime: rubyTimeToS(s.atime),
          mtime_seconds: Math.floor(s.mtimeMs / 1000),
          ctime_seconds: Math.floor(s.ctimeMs / 1000),
          atime_seconds: Math.floor(s.atimeMs / 1000),
          mode: s.mode.toString(8),
          type: fileType(s),
        });
        try {
          if (s.isFile()) reply.data.md5 = await md5File(file);
          if (s.isDirectory() && request.data.dirlist === true) reply.data.dir_listing = await readdir(file);
        } catch (err) {
          reply.fail(`Could not read '${file}': ${rubyErrnoText(err, file)}`);
        }
      },
    },
  };
}

/**
 * MCollective's filemgr agent: touch, remove or describe one file, the
 * request's `file` or else `plugin.filemgr.touch_file`. Often used to test a
 * collective end to end.
 */
export default defineAgent({
  name: "filemgr",
  description: "File Manager",
  create: createFilemgr,
});
