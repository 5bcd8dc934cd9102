# @summary The daemon: package, server.cfg, facts for the yaml fact source,
#   plugins from the module's files, and the service.
#
# @param package the daemon's Debian package.
# @param service its service (systemd unit or LSB init script).
# @param service_ensure `running` or `stopped`.
# @param service_enable start at boot.
# @param identity this node's identity (default: the fqdn fact).
# @param logfile the daemon's log file.
# @param log_level debug, info, warn, error or fatal.
# @param registerinterval seconds between registrations (0: none).
# @param registration `agentlist` or `meta`.
# @param classesfile Puppet's classes.txt, for class filters.
# @param facts_cron refresh facts.yaml from facter by cron.
# @param facts_cron_minute the cron's minute field.
# @param facter the facter binary the cron runs.
# @param settings further server.cfg keys (they win over the module's).
# @param plugins third-party plugins to install into libdir:
#   name => { source => 'puppet:///modules/site/phobos/NAME' } (a directory).
class phobos::server (
  String[1] $package,
  String[1] $service,
  Enum['running', 'stopped'] $service_ensure,
  Boolean $service_enable,
  Optional[String[1]] $identity,
  Phobos::Absolutepath $logfile,
  Enum['debug', 'info', 'warn', 'error', 'fatal'] $log_level,
  Integer[0] $registerinterval,
  Enum['agentlist', 'meta'] $registration,
  Phobos::Absolutepath $classesfile,
  Boolean $facts_cron,
  String[1] $facts_cron_minute,
  Phobos::Absolutepath $facter,
  Hash[String[1], Scalar] $settings,
  Hash[String[1], Hash] $plugins,
) {
  include phobos

  $config = "${phobos::confdir}/server.cfg"
  $facts_file = "${phobos::confdir}/facts.yaml"

  package { $package:
    ensure => $phobos::package_ensure,
  }

  $server_settings = phobos::connection_settings('server') + {
    'identity'         => $identity.lest || { $facts['networking']['fqdn'] },
    'logger_type'      => 'file',
    'logfile'          => $logfile,
    'loglevel'         => $log_level,
    'daemonize'        => 0,
    'factsource'       => 'yaml',
    'plugin.yaml'      => $facts_file,
    'classesfile'      => $classesfile,
    'registerinterval' => $registerinterval,
    'registration'     => $registration,
  } + $settings

  file { $config:
    ensure    => file,
    owner     => 'root',
    group     => 'root',
    mode      => '0640',
    show_diff => false,
    content   => epp('phobos/cfg.epp', { 'file' => $config, 'role' => 'server', 'settings' => $server_settings }),
    require   => Package[$package],
    notify    => Service[$service],
  }

  # Seeded once so the daemon starts with facts; the cron keeps it fresh.
  # Written to a temporary file first: the daemon must never read half a file.
  # facter exits 1 when one resolver fails (a /proc file a container hides)
  # yet prints every other fact: what it printed is kept unless it is empty.
  $refresh_facts = "${facter} -y > ${facts_file}.new 2>/dev/null; test -s ${facts_file}.new && mv ${facts_file}.new ${facts_file}"
  exec { 'phobos facts.yaml':
    command  => $refresh_facts,
    provider => shell,
    creates  => $facts_file,
    require  => Package[$package],
    before   => Service[$service],
  }
  # A cron.d file rather than a cron resource: Puppet 7 moved that type out
  # of core, and cron.d needs nothing but Debian's cron.
  file { '/etc/cron.d/phobos-facts':
    ensure  => if $facts_cron { file } else { absent },
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    content => @("CRON"),
      # Managed by Puppet (module phobos): facts for mcollectived's yaml fact source.
      ${facts_cron_minute} * * * * root ${refresh_facts}
      | CRON

  }

  $plugins.each |$name, $options| {
    phobos::plugin { $name:
      * => $options,
    }
  }

  service { $service:
    ensure => $service_ensure,
    enable => $service_enable,
  }
}
