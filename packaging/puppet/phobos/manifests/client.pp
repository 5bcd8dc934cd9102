# @summary The operator's side: the `mco` package, client.cfg and bash
#   completion.
#
# @param package the client's Debian package.
# @param log_level the client's log level (it logs to the console).
# @param config_mode client.cfg's mode: 0644 lets every user run mco, 0640
#   with a group keeps the broker password and psk to that group.
# @param config_group client.cfg's group.
# @param bash_completion install bash-completion, which loads the completion
#   the package ships in /usr/share/bash-completion/completions/mco.
# @param settings further client.cfg keys (they win over the module's).
class phobos::client (
  String[1] $package,
  Enum['debug', 'info', 'warn', 'error', 'fatal'] $log_level,
  Pattern[/\A0[0-7]{3}\z/] $config_mode,
  Boolean $bash_completion,
  Hash[String[1], Scalar] $settings,
  String[1] $config_group = 'root',
) {
  include phobos

  $config = "${phobos::confdir}/client.cfg"

  package { $package:
    ensure => $phobos::package_ensure,
  }

  $client_settings = phobos::connection_settings('client') + {
    'logger_type' => 'console',
    'loglevel'    => $log_level,
  } + $settings

  file { $config:
    ensure    => file,
    owner     => 'root',
    group     => $config_group,
    mode      => $config_mode,
    show_diff => false,
    content   => epp('phobos/cfg.epp', { 'file' => $config, 'role' => 'client', 'settings' => $client_settings }),
    require   => Package[$package],
  }

  if $bash_completion {
    if !defined(Package['bash-completion']) {
      package { 'bash-completion':
        ensure => installed,
      }
    }
  }
}
