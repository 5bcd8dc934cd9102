import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { ConfigError } from "@phobos/core";

function groupName(gid: number): string {
  for (const line of readFileSync("/etc/group", "utf8").split("\n")) {
    const [name, , id] = line.split(":");
    if (name && Number(id) === gid) return name;
  }
  throw new Error(`no group with gid ${gid} in /etc/group`);
}

/**
 * `plugin.psk.callertype`: who the caller says it is. Authorization policies
 * key on this string, so it must match what Ruby's psk plugin produced.
 * `user` is the person a client acts for (a console's signed-in user);
 * Ruby, and Phobos without it, take the OS user.
 */
export function pskCallerId(callertype: string, identity: string, user?: string): string {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  switch (callertype) {
    case "uid":
      return `uid=${uid}`;
    case "gid":
      return `gid=${gid}`;
    case "group":
      return `group=${groupName(gid)}`;
    case "user":
      return `user=${user ?? process.env.USER ?? process.env.LOGNAME ?? userInfo().username}`;
    case "identity":
      return `identity=${identity}`;
    default:
      throw new ConfigError(`'${callertype}' is not a caller type: use uid, gid, group, user or identity`, {
        key: "plugin.psk.callertype",
      });
  }
}
