export {
  type Binding,
  type ConnectionSummary,
  type ExchangeDeclaration,
  type ExchangeType,
  type Listener,
  type McollectiveExchange,
  type McollectiveVhost,
  mcollectiveExchanges,
  type Overview,
  type PermissionEntry,
  type Permissions,
  type PrepareMcollectiveVhostOptions,
  prepareMcollectiveVhost,
  RabbitMqAdmin,
  RabbitMqAdminError,
  type RabbitMqAdminOptions,
  type VhostInfo,
} from "@phobos/connector-rabbitmq/setup";
export {
  ACTIVEMQ_INSTANCE_SCRIPT,
  type ActiveMqConsumer,
  type ActiveMqEndpoint,
  activeMqFromEnv,
  type ConsumerWatch,
  checkActiveMq,
  type PrivateActiveMq,
  type PrivateActiveMqOptions,
  startPrivateActiveMq,
  watchConsumers,
} from "./activemq.js";
export { type ActiveMqFleet, type ActiveMqFleetOptions, startActiveMqFleet } from "./activemq-fleet.js";
export {
  type BrokerHost,
  type BrokerSettings,
  CLIENT_CONFIG_FILE,
  type ClientConfigOptions,
  type ClientConfigPaths,
  type CommonConfigOptions,
  type ConfigScalar,
  ConfigWriterError,
  type ConnectorName,
  defaultLibdir,
  type ExtraConfig,
  type LogLevel,
  RUBY_FIX_DIR,
  renderClientConfig,
  renderServerConfig,
  SERVER_CONFIG_FILE,
  type SecuritySettings,
  type ServerConfigOptions,
  type ServerConfigPaths,
  writeClientConfig,
  writeServerConfig,
} from "./config-file.js";
export {
  type Facts,
  type FactValue,
  renderClassesFile,
  renderFactsYaml,
  writeClassesFile,
  writeFactsFile,
} from "./facts-file.js";
export {
  type RubyFleet,
  type RubyFleetNode,
  type RubyFleetOptions,
  type SslFleetOptions,
  startRubyFleet,
} from "./fleet.js";
export {
  PHOBOS_FORMS,
  type PhobosApp,
  type PhobosForm,
  phobosAppDir,
  phobosBin,
  phobosCommand,
  phobosForm,
  SHIPPED_ROOT,
  stopOnStdinEofOptions,
} from "./phobos-paths.js";
export {
  type BrokerEndpointDefaults,
  brokerDefaultsFromEnv,
  checkReferenceEnvironment,
  DEBIAN_PLUGIN_DIR,
  DEBIAN_RUBY_LIB,
  MCO,
  MCOLLECTIVED,
  PROVISION_HINT,
  REFERENCE_MCOLLECTIVE_VERSION,
  type ReferenceEnvironment,
  ReferenceEnvironmentError,
  RUBY,
} from "./reference-environment.js";
export { defaultRubyLoadPath, listRubyAgents } from "./ruby-agents.js";
export {
  type DaemonExit,
  mcollectivedCommand,
  PHOBOS_AGENTS,
  type RubyDaemon,
  RubyDaemonError,
  type RubyDaemonOptions,
  startRubyDaemon,
  startRubyDaemons,
} from "./ruby-daemon.js";
export { rubyEnv } from "./ruby-env.js";
export { applyRubyFix, RUBY_FIX_PATCHES, RubyFixError, type RubyFixPatch, writeRubyFix } from "./ruby-fix.js";
export { RubyMcoError, type RubyMcoOptions, type RubyMcoResult, runRubyMco } from "./ruby-mco.js";
export { createSslKeySite, type SslKeySite, type SslKeyType, type SslUserKeys } from "./ssl-keys.js";
export { ownerDescription, sweepStaleVhosts, type VhostOwner } from "./stale-vhosts.js";
export {
  BindingsTimeoutError,
  type ExpectedBinding,
  mcollectiveNodeBindings,
  type WaitForBindingsOptions,
  waitForBindings,
  withSubscriptionGate,
} from "./subscriptions.js";
