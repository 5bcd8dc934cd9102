import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** First readable candidate, else the first one (so the error names the usual place). */
function firstReadable(candidates: string[]): string {
  return candidates.find(readable) ?? (candidates[0] as string);
}

/** `mco`'s config when `-c` is not given: `~/.mcollective`, then the system files. */
export function clientConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? homedir();
  return firstReadable([
    join(home, ".mcollective"),
    "/etc/puppetlabs/mcollective/client.cfg",
    "/etc/mcollective/client.cfg",
  ]);
}

/** `mcollectived`'s config when `-c` is not given. */
export function serverConfigFile(): string {
  return firstReadable(["/etc/puppetlabs/mcollective/server.cfg", "/etc/mcollective/server.cfg"]);
}
