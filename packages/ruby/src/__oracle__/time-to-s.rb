# Time.at(t).to_s in several zones, for src/time-to-s.oracle.test.ts.
# stdin: {"zones": [tz, ...], "times": [seconds, ...]}
# stdout: {tz: [to_s, ...], ...}
require "json"

input = JSON.parse($stdin.read)
out = input["zones"].to_h do |tz|
  ENV["TZ"] = tz
  [tz, input["times"].map { |t| Time.at(t).to_s }]
end
puts JSON.generate(out)
