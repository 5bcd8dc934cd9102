# What YAML.unsafe_load("--- " + s) gives for many plain scalars, for
# src/psych-scalar.oracle.test.ts.
# stdin: [s, ...]
# stdout: [[class name, to_s] | ["error", exception class], ...]
require "json"
require "yaml"
require "date"

out = JSON.parse($stdin.read).map do |s|
  v = YAML.unsafe_load("--- #{s}")
  [v.class.to_s, v.to_s]
rescue Exception => e
  ["error", e.class.to_s]
end
puts JSON.generate(out)
