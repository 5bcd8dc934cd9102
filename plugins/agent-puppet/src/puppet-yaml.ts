import { psychSchema } from "@phobos/core/psych";

/**
 * Puppet's last_run_summary.yaml and last_run_report.yaml as the Ruby agent's
 * `YAML.load_file` reads them: plain scalars by Psych's rules (core's
 * `psychTokenize`), so `yes` is true, `010` is 8 and `1:20` is 4800 as in
 * Ruby. Numbers come back as JS numbers (the agent replies with them), a
 * Symbol as its name, and a time as its text for the caller to parse.
 */
export const PUPPET_YAML_SCHEMA = psychSchema((token, text) => {
  switch (token.type) {
    case "null":
      return null;
    case "boolean":
      return token.value;
    case "integer":
      return Number(token.value);
    case "float":
      return token.value;
    case "symbol":
      return token.name;
    case "time":
      return text;
  }
});
