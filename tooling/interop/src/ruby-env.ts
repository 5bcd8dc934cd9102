/**
 * The environment the Ruby peer runs in. MCollective reads several settings from the
 * environment ahead of its config (MCOLLECTIVE_PSK overrides plugin.psk,
 * MCOLLECTIVE_EXTRA_OPTS adds mco options, MCOLLECTIVE_SSL_PRIVATE…), so inherited
 * MCOLLECTIVE_* variables are dropped: a test's peer reads only the config it was given,
 * plus what the test passes explicitly.
 */
export function rubyEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("MCOLLECTIVE_") && value !== undefined) env[key] = value;
  }
  // Without a UTF-8 locale Ruby reads files and writes output as US-ASCII.
  if (env.LANG === undefined && env.LC_ALL === undefined) env.LANG = "C.UTF-8";
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
