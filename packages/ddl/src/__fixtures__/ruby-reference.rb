# Differential-test oracle: asks Debian's MCollective 2.12.5 (through its own
# DDL, Validator and Util classes) the questions the DDL tests ask Phobos, and
# prints the answers as one JSON document. Read by ruby-reference.test.ts.
#
# stdin: {"libdir": "...", "ddls": [paths], "ips": [...], "align": [...],
#         "validate": [...], "requests": [...], "numbers": [...],
#         "booleans": [...], "versions": [[a, b]...], "floats": [...]}
# Values travel tagged: {"str"}, {"int"}, {"float"}, {"sym"}, {"nil"},
# {"bool"}, {"re", "opts"}, {"arr"}, {"hash": [[k, v]...]}.
require "json"
require "tmpdir"
require "ipaddr"

request = JSON.parse($stdin.read)
libdir = request.fetch("libdir")
$LOAD_PATH.unshift(libdir)
require "mcollective"

Dir.mktmpdir do |dir|
  cfg = File.join(dir, "client.cfg")
  File.write(cfg, <<~CFG)
    libdir = #{libdir}
    logger_type = console
    loglevel = fatal
    connector = activemq
    securityprovider = psk
    plugin.psk = unused
  CFG
  MCollective::Config.instance.loadconfig(cfg)
end

def decode(v)
  case v.keys.first
  when "str" then v["str"]
  when "int" then Integer(v["int"])
  when "float" then Float(v["float"])
  when "sym" then v["sym"].to_sym
  when "nil" then nil
  when "bool" then v["bool"]
  when "re" then Regexp.new(v["re"], (v["opts"] || "").include?("i") ? Regexp::IGNORECASE : 0)
  when "arr" then v["arr"].map { |x| decode(x) }
  when "hash" then Hash[v["hash"].map { |k, x| [decode(k), decode(x)] }]
  else raise "cannot decode #{v.inspect}"
  end
end

def encode(v)
  case v
  when Symbol then { "sym" => v.to_s }
  when String then { "str" => v }
  when Integer then { "int" => v.to_s }
  when Float then { "float" => v.to_s }
  when nil then { "nil" => true }
  when true, false then { "bool" => v }
  when Array then { "arr" => v.map { |x| encode(x) } }
  when Hash then { "hash" => v.map { |k, x| [encode(k), encode(x)] } }
  else { "other" => v.inspect }
  end
end

# The model's plain form: symbols as strings, hashes with string keys, floats tagged.
def plain(v)
  case v
  when Symbol then v.to_s
  when Float then { "$float" => v }
  when Array then v.map { |x| plain(x) }
  when Hash then Hash[v.map { |k, x| [k.to_s, plain(x)] }]
  when Regexp then { "$regexp" => v.to_s }
  else v
  end
end

def validation(v)
  case v
  when Symbol then { "validator" => v.to_s }
  when String then { "pattern" => v, "text" => v }
  when Regexp then { "pattern" => v.source, "text" => v.to_s }
  else plain(v)
  end
end

def input(i)
  out = { "prompt" => plain(i[:prompt]), "description" => plain(i[:description]), "type" => i[:type].to_s,
          "optional" => !!i[:optional] }
  out["default"] = plain(i[:default]) unless i[:default].nil?
  out["validation"] = validation(i[:validation]) if i.include?(:validation) && !i[:validation].nil?
  out["maxlength"] = i[:maxlength] if i.include?(:maxlength)
  out["list"] = plain(i[:list]) if i.include?(:list)
  out
end

def output(o)
  out = { "description" => plain(o[:description]), "display_as" => plain(o[:display_as]) }
  out["default"] = plain(o[:default]) unless o[:default].nil?
  out
end

def entities(kind, e)
  case kind
  when "agent"
    Hash[e.map do |name, a|
      out = { "description" => a[:description], "display" => a[:display].to_s,
              "input" => Hash[a[:input].map { |k, i| [k.to_s, input(i)] }],
              "output" => Hash[a[:output].map { |k, o| [k.to_s, output(o)] }] }
      out["aggregate"] = plain(a[:aggregate]) if a[:aggregate]
      [name.to_s, out]
    end]
  when "data"
    d = e[:data]
    { "description" => d[:description], "input" => Hash[d[:input].map { |k, i| [k.to_s, input(i)] }],
      "output" => Hash[d[:output].map { |k, o| [k.to_s, output(o)] }] }
  when "discovery"
    { "capabilities" => e[:discovery][:capabilities].map(&:to_s) }
  else
    {}
  end
end

def puts_text(s)
  s.end_with?("\n") ? s : s + "\n"
end

result = {}

result["ddls"] = request.fetch("ddls", []).map do |path|
  type = File.basename(File.dirname(path))
  name = File.basename(path, ".ddl")
  begin
    ddl = MCollective::DDL.new(name, type.to_sym)
    kind = case ddl
           when MCollective::DDL::AgentDDL then "agent"
           when MCollective::DDL::DataDDL then "data"
           when MCollective::DDL::DiscoveryDDL then "discovery"
           else "metadata"
           end
    meta = Hash[%i[name description author license version url timeout].map { |k| [k.to_s, plain(ddl.meta[k])] }]
    { "path" => path, "kind" => kind, "meta" => meta, "requirements" => plain(ddl.requirements),
      "usage" => ddl.instance_variable_get(:@usage), "entities" => entities(kind, ddl.entities),
      "help" => puts_text(ddl.help) }
  rescue Exception => e
    { "path" => path, "error" => "#{e.class}: #{e}" }
  end
end

result["ips"] = request.fetch("ips", []).map do |s|
  begin
    ip = IPAddr.new(s)
    ip.ipv4? ? 4 : (ip.ipv6? ? 6 : nil)
  rescue Exception
    nil
  end
end

result["align"] = request.fetch("align", []).map do |a|
  begin
    MCollective::Util.align_text(a["text"], a["cols"], a["pre"])
  rescue Exception => e
    { "error" => "#{e.class}: #{e}" }
  end
end

MCollective::Validator.load_validators
result["validate"] = request.fetch("validate", []).map do |c|
  begin
    MCollective::Validator.validate(decode(c["value"]), decode(c["validation"]))
    "ok"
  rescue Exception => e
    e.to_s
  end
end

rpcutil = MCollective::DDL.new("rpcutil", :agent)
result["requests"] = request.fetch("requests", []).map do |r|
  begin
    rpcutil.validate_rpc_request(r["action"], decode(r["data"]))
    "ok"
  rescue Exception => e
    e.to_s
  end
end

result["defaults"] = request.fetch("defaults", []).map do |d|
  # set_default_input_arguments and Reply#initialize_data against a DDL built from the case.
  ddl = MCollective::DDL::AgentDDL.new("case", :agent, false)
  ddl.instance_eval(d["ddl"], "case.ddl", 1)
  args = decode(d["args"])
  ddl.set_default_input_arguments(d["action"], args)
  reply = MCollective::RPC::Reply.new(d["action"], ddl)
  { "args" => encode(args), "reply" => encode(reply.data) }
end

result["numbers"] = request.fetch("numbers", []).map do |s|
  begin
    encode(MCollective::DDL.string_to_number(s))
  rescue Exception => e
    { "error" => e.to_s }
  end
end

result["booleans"] = request.fetch("booleans", []).map do |s|
  begin
    encode(MCollective::DDL.string_to_boolean(s))
  rescue Exception => e
    { "error" => e.to_s }
  end
end

result["versions"] = request.fetch("versions", []).map { |a, b| MCollective::Util.versioncmp(a, b) }
result["floats"] = request.fetch("floats", []).map { |f| Float(f).to_s }
result["inspect"] = request.fetch("inspect", []).map { |v| x = decode(v); [x.to_s, x.inspect] }

puts JSON.generate(result)
