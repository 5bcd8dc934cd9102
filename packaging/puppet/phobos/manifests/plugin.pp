# @summary A third-party plugin directory (the layout `mco plugin generate`
#   makes: agent/, application/, util/, ... or a Phobos plugin package)
#   copied into libdir; the daemon is restarted to load it.
#
# @param source where Puppet copies the directory from, e.g.
#   `puppet:///modules/site/phobos/NAME`.
# @param ensure `present` or `absent`.
define phobos::plugin (
  String[1] $source,
  Enum['present', 'absent'] $ensure = 'present',
) {
  include phobos

  file { "${phobos::libdir}/${title}":
    ensure  => if $ensure == 'present' { directory } else { absent },
    source  => $source,
    recurse => true,
    purge   => true,
    force   => true,
    owner   => 'root',
    group   => 'root',
    mode    => 'u=rwX,go=rX',
    notify  => Service[$phobos::server::service],
  }
}
