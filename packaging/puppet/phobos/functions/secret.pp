# The clear text of a parameter that may be given as Sensitive.
function phobos::secret(Variant[String, Sensitive[String]] $value) >> String {
  $value ? {
    Sensitive => $value.unwrap,
    default   => $value,
  }
}
