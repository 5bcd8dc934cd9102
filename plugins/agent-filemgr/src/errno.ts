/**
 * A Node file-system error as Ruby names it (`Errno::ENOENT: No such file or
 * directory - /tmp/x`), so a failure reads the same from a Phobos daemon as
 * from a Ruby one.
 */
export function rubyErrnoText(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === "string" && /^E[A-Z0-9]+$/.test(e.code)) {
    // libuv's text is strerror's in lower case: "no such file or directory, open '/x'".
    const text = /^E[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.code;
    return `Errno::${e.code}: ${text.charAt(0).toUpperCase()}${text.slice(1)} - ${path}`;
  }
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
}
