# Ruby's Regexp on many (source, options, subjects) at once, for
# src/regexp.oracle.test.ts.
# stdin: [{"source", "options", "subjects": [...]}]
# stdout: [{"error": "ClassName"} | {"matches": [index-in-characters | nil, ...]}]
require "json"

out = JSON.parse($stdin.read).map do |c|
  begin
    re = Regexp.new(c["source"], c["options"])
    {"matches" => c["subjects"].map { |s| s =~ re }}
  rescue Exception => e
    {"error" => e.class.to_s}
  end
end
puts JSON.generate(out)
