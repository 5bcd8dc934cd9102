import { ConfigError } from "@phobos/errors";

/** One `key = value` line of a cfg file, with where it came from. */
export interface ConfigLine {
  key: string;
  value: string;
  file: string;
  line: number;
}

/**
 * MCollective's cfg format: `key = value`, `#` comments, blank lines.
 * Ruby MCollective silently skipped lines it could not read (no `=`, or no
 * value); a typo there then ran with a default nobody chose, so here such a
 * line is a ConfigError with its file and line number.
 */
export function parseConfigText(text: string, file: string): ConfigLine[] {
  const lines: ConfigLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s+$/, "");
    const where = { file, line: index + 1 };
    if (line === "" || /^\s*#/.test(line)) return;
    const eq = line.indexOf("=");
    if (eq < 0) {
      throw new ConfigError(`cannot read '${line.trim()}': expected 'key = value'`, where);
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "") throw new ConfigError(`cannot read '${line.trim()}': no key before '='`, where);
    if (/\s/.test(key)) {
      throw new ConfigError(`cannot read '${line.trim()}': a key has no spaces`, { ...where, key });
    }
    if (value === "") throw new ConfigError("has no value", { ...where, key });
    lines.push({ key, value, ...where });
  });
  return lines;
}

/**
 * Splits `MCOLLECTIVE_EXTRA_OPTS` the way Ruby's Shellwords does: spaces
 * separate words, single quotes are literal, double quotes allow `\` escapes.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      push();
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ConfigError(`unmatched ' in '${text}'`, { key: "MCOLLECTIVE_EXTRA_OPTS" });
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let chunk = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        chunk += text[j];
        j++;
      }
      if (j >= text.length)
        throw new ConfigError(`unmatched " in '${text}'`, { key: "MCOLLECTIVE_EXTRA_OPTS" });
      word = (word ?? "") + chunk;
      i = j + 1;
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[i + 1];
      i += 2;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  push();
  return words;
}
