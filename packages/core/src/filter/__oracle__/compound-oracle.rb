# Ruby MCollective 2.12's -S parser on many inputs at once, for the
# differential test in src/filter/compound/parser.oracle.test.ts.
# stdin: JSON array of -S strings. stdout: JSON array, one entry per input:
#   {"stack": [...]}  or  {"error": "token" | "parse" | "paren" | "tokenize" | "function"}
require "json"

begin
  require "mcollective"
rescue LoadError => e
  warn "mcollective library missing (#{e.message}): run `sh tooling/scripts/provision.sh`"
  exit 3
end

def plain(value)
  case value
  when Hash then value.each_with_object({}) { |(k, v), h| h[k.to_s] = plain(v) }
  when Array then value.map { |v| plain(v) }
  when Regexp then {"regexp" => {"source" => value.source, "options" => value.options}}
  else value
  end
end

def category(error)
  message = error.message.to_s
  return "token" if message.start_with?("Malformed token")
  return "parse" if message.start_with?("Parse errors")
  return "paren" if message.start_with?("Missing parenthesis")
  return "tokenize" if message.start_with?("An exception was raised while trying to tokenize")
  "function"
end

out = JSON.parse($stdin.read).map do |input|
  begin
    {"stack" => plain(MCollective::Matcher.create_compound_callstack(input))}
  rescue Exception => e
    {"error" => category(e), "detail" => "#{e.class}: #{e.message.gsub(/\e\[\d+m/, "")}"[0, 300]}
  end
end
puts JSON.generate(out)
