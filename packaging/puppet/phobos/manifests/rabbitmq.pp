# @summary RabbitMQ made ready for a Phobos or MCollective site: the vhost,
#   the daemons' and the clients' users with their permissions, and the
#   `<collective>_broadcast` (topic) and `<collective>_directed` (direct)
#   exchanges of every collective.
#
# Runs `phobos-rabbitmq-setup` (from the phobos-mco package) against the
# management API, only when `--check` finds something missing, so a second
# run changes nothing. RabbitMQ itself (with rabbitmq_stomp and
# rabbitmq_management enabled) is the site's to install.
#
# @param management_url RabbitMQ's management API.
# @param admin_user a management user allowed to create vhosts and users.
# @param admin_password its password.
# @param setup_command the set-up tool.
class phobos::rabbitmq (
  String[1] $management_url,
  String[1] $admin_user,
  Variant[String[1], Sensitive[String[1]]] $admin_password,
  Phobos::Absolutepath $setup_command,
) {
  include phobos

  $client_user = $phobos::broker_client_user.lest || { $phobos::broker_user }
  $accounts = {
    $phobos::broker_user => $phobos::broker_password,
    $client_user         => $phobos::broker_client_password.lest || { $phobos::broker_password },
  }

  $accounts.each |$user, $password| {
    # The values are quoted for the shell; a quote in one would break out.
    $values = [$phobos::broker_vhost, $user, $management_url] + $phobos::collectives
    $values.each |$value| {
      if "'" in $value { fail("phobos::rabbitmq: a quote in ${value} cannot be passed to ${setup_command}") }
    }
    $collectives = $phobos::collectives.join(',')
    $command = @("COMMAND"/L)
      ${setup_command} --vhost '${phobos::broker_vhost}' --user '${user}' \
      --collectives '${collectives}' --api '${management_url}'
      |-COMMAND
    $environment = [
      "PHOBOS_RABBITMQ_PASSWORD=${phobos::secret($password)}",
      "RABBITMQ_MANAGEMENT_USER=${admin_user}",
      "RABBITMQ_MANAGEMENT_PASSWORD=${phobos::secret($admin_password)}",
    ]
    exec { "phobos rabbitmq ${user}":
      command     => $command,
      unless      => "${command} --check",
      environment => $environment,
      logoutput   => on_failure,
    }
  }
}
