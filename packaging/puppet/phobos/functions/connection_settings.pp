# The keys of client.cfg and server.cfg that say how to reach the broker and
# how to sign: the same for both files except the broker user.
#
# @param role `client` or `server`: whose broker user and password to write.
function phobos::connection_settings(Enum['client', 'server'] $role) >> Hash[String, Scalar] {
  $user = $role ? {
    'client' => $phobos::broker_client_user.lest || { $phobos::broker_user },
    default  => $phobos::broker_user,
  }
  $password = $role ? {
    'client' => phobos::secret($phobos::broker_client_password.lest || { $phobos::broker_password }),
    default  => phobos::secret($phobos::broker_password),
  }
  $c = "plugin.${phobos::connector}"
  $ssl = if $phobos::broker_ssl { 1 } else { 0 }
  $direct = if $phobos::direct_addressing { 1 } else { 0 }
  $pool = $phobos::broker_hosts.map |$index, $host| {
    $n = $index + 1
    $member = {
      "${c}.pool.${n}.host"     => $host,
      "${c}.pool.${n}.port"     => $phobos::broker_port,
      "${c}.pool.${n}.user"     => $user,
      "${c}.pool.${n}.password" => $password,
      "${c}.pool.${n}.ssl"      => $ssl,
    }
    $member
  }.reduce({}) |$all, $one| { $all + $one }
  $vhost = $phobos::connector ? {
    'rabbitmq' => { "${c}.vhost" => $phobos::broker_vhost },
    default    => {},
  }
  $security = $phobos::securityprovider ? {
    'psk'   => { 'securityprovider' => 'psk', 'plugin.psk' => phobos::secret($phobos::psk) },
    default => { 'securityprovider' => $phobos::securityprovider },
  }
  $settings = {
    'main_collective'   => $phobos::main_collective,
    'collectives'       => $phobos::collectives.join(','),
    'libdir'            => $phobos::libdir,
    'direct_addressing' => $direct,
    'connector'         => $phobos::connector,
  } + $vhost + {
    "${c}.pool.size"          => $phobos::broker_hosts.length,
    "${c}.heartbeat_interval" => $phobos::broker_heartbeat_interval,
  } + $pool + $security
  $settings
}
