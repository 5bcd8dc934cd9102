# to_s and inspect of many values at once, for src/to-s.oracle.test.ts.
# stdin: [value, ...] where a value is tagged JSON:
#   {"nil": true} | {"bool": b} | {"int": "<decimal>"} | {"float": "<16 hex digits, IEEE bits>"}
#   | {"str": s} | {"sym": s} | {"re": [source, "mix letters"]} | {"arr": [value...]}
#   | {"hash": [[key, value]...]}
# stdout: [[to_s, inspect], ...]
require "json"

def build(v)
  k, x = v.first
  case k
  when "nil" then nil
  when "bool" then x
  when "int" then Integer(x)
  when "float" then [x].pack("H*").unpack1("G")
  when "str" then x
  when "sym" then x.to_sym
  when "re"
    opts = 0
    opts |= Regexp::IGNORECASE if x[1].include?("i")
    opts |= Regexp::EXTENDED if x[1].include?("x")
    opts |= Regexp::MULTILINE if x[1].include?("m")
    Regexp.new(x[0], opts)
  when "arr" then x.map { |e| build(e) }
  when "hash" then x.to_h { |kk, vv| [build(kk), build(vv)] }
  else raise "unknown tag #{k}"
  end
end

puts JSON.generate(JSON.parse($stdin.read).map { |v| o = build(v); [o.to_s, o.inspect] })
