# @summary What every Phobos role on a host shares: the broker it talks to,
#   the security provider and the collectives.
#
# Include `phobos::server`, `phobos::client`, `phobos::broker` or
# `phobos::rabbitmq` for the roles; they read these parameters, so hiera data
# under `phobos::` configures a whole site in one place. The keys written to
# client.cfg and server.cfg are MCollective 2.12's, so the same data drives a
# Ruby MCollective host during a migration.
#
# @param connector `rabbitmq` or `activemq`.
# @param broker_hosts the broker pool, in the order MCollective tries them.
# @param broker_port STOMP port of every pool member.
# @param broker_ssl STOMP over TLS to every pool member.
# @param broker_vhost RabbitMQ virtual host (ignored for ActiveMQ).
# @param broker_user the daemons' broker user.
# @param broker_password the daemons' broker password.
# @param broker_client_user the clients' broker user (default: broker_user).
# @param broker_client_password the clients' broker password (default: broker_password).
# @param broker_heartbeat_interval STOMP heart-beat in seconds (0: none).
# @param securityprovider `psk` or `ssl`.
# @param psk the pre-shared key (securityprovider psk).
# @param main_collective the collective requests go to by default.
# @param collectives every collective of this site.
# @param confdir where client.cfg, server.cfg and facts.yaml live.
# @param libdir where third-party plugins are installed.
# @param direct_addressing requests to named nodes go to their queues.
# @param package_ensure `installed`, `latest` or a version, for every package.
class phobos (
  Enum['rabbitmq', 'activemq'] $connector,
  Array[String[1], 1] $broker_hosts,
  Integer[1, 65535] $broker_port,
  Boolean $broker_ssl,
  String[1] $broker_vhost,
  String[1] $broker_user,
  Optional[String[1]] $broker_client_user,
  Integer[0] $broker_heartbeat_interval,
  Enum['psk', 'ssl'] $securityprovider,
  String[1] $main_collective,
  Array[String[1], 1] $collectives,
  Phobos::Absolutepath $confdir,
  Phobos::Absolutepath $libdir,
  Boolean $direct_addressing,
  String[1] $package_ensure,
  Variant[String[1], Sensitive[String[1]]] $broker_password,
  Optional[Variant[String[1], Sensitive[String[1]]]] $broker_client_password = undef,
  Optional[Variant[String[1], Sensitive[String[1]]]] $psk = undef,
) {
  if $securityprovider == 'psk' and $psk == undef {
    fail('phobos: securityprovider psk needs phobos::psk (the pre-shared key every client and daemon shares)')
  }
  unless $main_collective in $collectives {
    fail("phobos: main_collective ${main_collective} is not one of collectives ${collectives}")
  }
}
