# @summary Phobos's embedded STOMP broker as a service of its own: for one
#   host or a small site that runs no RabbitMQ or ActiveMQ.
#
# Every client and daemon then uses `connector => rabbitmq` with the broker
# hosts pointing here; the broker accepts the daemons' and the clients'
# broker users (phobos::broker_user / broker_client_user).
#
# @param package the broker's Debian package.
# @param service its service.
# @param service_ensure `running` or `stopped`.
# @param service_enable start at boot.
# @param bind the address it listens on.
# @param config its config file.
# @param settings further broker keys (max_connections, max_frame_size, ...).
# @param group the group the broker runs as, which reads its config.
class phobos::broker (
  String[1] $package,
  String[1] $service,
  Enum['running', 'stopped'] $service_ensure,
  Boolean $service_enable,
  String[1] $bind,
  Phobos::Absolutepath $config,
  Hash[String[1], Scalar] $settings,
  String[1] $group = 'phobos-broker',
) {
  include phobos

  $client_user = $phobos::broker_client_user.lest || { $phobos::broker_user }
  $client_password = phobos::secret($phobos::broker_client_password.lest || { $phobos::broker_password })
  $server_entry = "${phobos::broker_user}:${phobos::secret($phobos::broker_password)}"
  $users = $client_user ? {
    $phobos::broker_user => [$server_entry],
    default              => [$server_entry, "${client_user}:${client_password}"],
  }

  package { $package:
    ensure => $phobos::package_ensure,
  }

  $broker_settings = {
    'bind'  => $bind,
    'port'  => $phobos::broker_port,
    'vhost' => $phobos::broker_vhost,
  } + $settings
  $exchanges = $phobos::collectives.map |$c| { ["${c}_broadcast:topic", "${c}_directed:direct"] }.flatten

  # The broker runs as its own user (the package's); it reads its passwords through the group.
  file { $config:
    ensure    => file,
    owner     => 'root',
    group     => $group,
    mode      => '0640',
    show_diff => false,
    content   => epp('phobos/broker.cfg.epp', {
      'file' => $config, 'users' => $users, 'exchanges' => $exchanges, 'settings' => $broker_settings,
    }),
    require   => Package[$package],
    notify    => Service[$service],
  }

  service { $service:
    ensure => $service_ensure,
    enable => $service_enable,
  }
}
