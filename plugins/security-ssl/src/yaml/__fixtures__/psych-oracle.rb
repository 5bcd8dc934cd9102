# The Psych oracle for the YAML tests: one line in per case (JSON: the value
# as base64 Marshal, and Phobos's YAML of it), one JSON line out (Ruby's
# YAML.dump of the value, and what safe_load makes of Phobos's YAML, as
# base64 Marshal, or the error it raised), and whether safe_load can read
# Ruby's own dump at all. Permitted classes as MCollective's
# ssl plugin (with the Ruby 3.1 fix) passes them.
require "yaml"
require "json"
require "base64"

STDOUT.sync = true
STDIN.each_line do |line|
  c = JSON.parse(line)
  value = Marshal.load(Base64.strict_decode64(c["marshal"]))
  out = {}
  begin
    out["dump"] = YAML.dump(value)
    begin
      YAML.safe_load(out["dump"], permitted_classes: [Symbol, Regexp])
    rescue Exception => e
      out["self_load_error"] = "#{e.class}: #{e.message}"
    end
  rescue Exception => e
    out["dump_error"] = "#{e.class}: #{e.message}"
  end
  if c["yaml"]
    begin
      loaded = YAML.safe_load(c["yaml"], permitted_classes: [Symbol, Regexp])
      out["loaded"] = Base64.strict_encode64(Marshal.dump(loaded))
      out["equal"] = (loaded == value)
    rescue Exception => e
      out["load_error"] = "#{e.class}: #{e.message}"
    end
  end
  puts JSON.generate(out)
end
