import type { Config } from "./config.js";

const capitalize = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

/**
 * `rpcutil#get_config_item`: the value Ruby MCollective's `Config` reader of
 * that name returns, with its quirks (plugin names capitalised, the limit
 * method a Symbol), so a Phobos daemon answers like a Ruby one.
 */
export function configItem(config: Config, item: string): { found: boolean; value?: unknown } {
  const items: Record<string, () => unknown> = {
    identity: () => config.identity,
    collectives: () => config.collectives,
    main_collective: () => config.mainCollective,
    connector: () => capitalize(config.connector),
    securityprovider: () => capitalize(config.securityProvider),
    factsource: () => capitalize(config.factSource),
    registration: () => capitalize(config.registration),
    registerinterval: () => config.registerInterval,
    registration_collective: () => config.registrationCollective ?? null,
    registration_splay: () => config.registrationSplay,
    classesfile: () => config.classesFile,
    logfile: () => config.logfile ?? null,
    keeplogs: () => config.keeplogs,
    max_log_size: () => config.maxLogSize,
    loglevel: () => config.loglevel,
    logfacility: () => config.logfacility,
    logger_type: () => config.loggerType,
    libdir: () => config.libdir,
    rpcaudit: () => config.rpcaudit,
    rpcauditprovider: () => capitalize(config.rpcauditProvider),
    rpcauthorization: () => config.rpcauthorization,
    rpcauthprovider: () => capitalize(config.rpcauthProvider),
    rpclimitmethod: () => Symbol.for(config.rpcLimitMethod),
    fact_cache_time: () => config.factCacheTime,
    direct_addressing: () => config.directAddressing,
    direct_addressing_threshold: () => config.directAddressingThreshold,
    ttl: () => config.ttl,
    default_discovery_method: () => config.defaultDiscoveryMethod,
    default_discovery_options: () => config.defaultDiscoveryOptions,
    discovery_timeout: () => config.discoveryTimeout ?? null,
    discovery_window: () => config.discoveryWindow,
    discovery_expected: () => config.discoveryExpected,
    discovery_expected_options: () => config.discoveryExpectedOptions,
    publish_timeout: () => config.publishTimeout,
    connection_timeout: () => config.connectionTimeout ?? null,
    threaded: () => config.threaded,
    soft_shutdown: () => config.softShutdown,
    soft_shutdown_timeout: () => config.softShutdownTimeout ?? null,
    activate_agents: () => config.activateAgents,
    default_batch_size: () => config.defaultBatchSize,
    default_batch_sleep_time: () => config.defaultBatchSleepTime,
    color: () => config.color,
    daemonize: () => config.daemonize,
    ssl_cipher: () => config.sslCipher,
    configfile: () => config.configFile,
    configdir: () => config.configDir,
    configured: () => true,
    // Ruby's Config#mode: only mcollectived answers rpcutil, so always the daemon's.
    mode: () => Symbol.for("server"),
    pluginconf: () => new Map(config.pluginConf),
  };
  const get = items[item];
  return get ? { found: true, value: get() } : { found: false };
}
