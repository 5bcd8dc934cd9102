# Reads a JSON array of base64 Marshal dumps on stdin; prints a JSON array of
# each value's pretty_inspect (at the width given as ARGV[0], via COLUMNS).
require "json"
require "base64"
require "pp"
values = JSON.parse($stdin.read)
puts JSON.generate(values.map { |b64| Marshal.load(Base64.strict_decode64(b64)).pretty_inspect })
