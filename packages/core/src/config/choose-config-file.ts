/**
 * Which config file a client reads (mco, openClient). MCollective finds it before it knows the
 * application (the libdir it names is where applications live), so `-c` and
 * `--config` are picked out of MCOLLECTIVE_EXTRA_OPTS and argv ahead of the
 * real option parsing (`Applications.load_config`); the command line wins.
 */
import { clientConfigFile } from "./locate.js";
import { splitShellWords } from "./parse.js";

function configIn(words: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === "--") break;
    if (word === "-c" || word === "--config") {
      const next = words[i + 1];
      if (next !== undefined) found = next;
      i++;
    } else if (word.startsWith("--config=")) {
      found = word.slice("--config=".length);
    } else if (/^-c./.test(word)) {
      found = word.slice(2).replace(/^=/, "");
    }
  }
  return found;
}

export interface ConfigChoice {
  file: string;
  /** Named with -c/--config (a missing file is then an error even for `mco help`). */
  explicit: boolean;
}

/** The file named by `-c`/`--config` in argv, else in MCOLLECTIVE_EXTRA_OPTS, else the first readable of ~/.mcollective and the system client.cfg files. */
export function chooseConfigFile(
  argv: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ConfigChoice {
  let extra: string[] = [];
  try {
    extra = splitShellWords(env.MCOLLECTIVE_EXTRA_OPTS ?? "");
  } catch {
    // Reported when the options are parsed for real.
  }
  const named = configIn(argv) ?? configIn(extra);
  return named === undefined
    ? { file: clientConfigFile(env), explicit: false }
    : { file: named, explicit: true };
}
