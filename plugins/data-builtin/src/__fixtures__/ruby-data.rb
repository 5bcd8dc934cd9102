# MCollective 2.12.5's own data plugins, asked in one process. ARGV[0]: the
# @phobos/interop Ruby-fix directory; ARGV[1]: the yaml facts file; ARGV[2]: the
# collectives. Each stdin line is {"plugin":…,"query":…}; each answer one JSON
# line: {"result":{…}} or {"error":"Class: message"}. {"meta":"rpcutil"} answers the
# agent's DDL metadata as the agent data plugin sees it.
$LOAD_PATH.unshift(ARGV[0])
require "json"
require "mcollective"

include MCollective
config = Config.instance
config.instance_variable_set(:@logger_type, "console")
config.instance_variable_set(:@loglevel, "fatal")
Log.configure
config.instance_variable_set(:@pluginconf, {"yaml" => ARGV[1]})
config.instance_variable_set(:@libdir, [ARGV[0], "/usr/lib/ruby/vendor_ruby"])
config.instance_variable_set(:@collectives, ARGV[2].split(","))
config.instance_variable_set(:@fact_cache_time, 300)
config.instance_variable_set(:@configured, true)

require "mcollective/facts/yaml_facts"
# rpcutil, with its real DDL, is the agent the agent data plugin reports on.
require "mcollective/agent/rpcutil"
PluginManager << {:type => "rpcutil_agent", :class => "MCollective::Agent::Rpcutil"}
%w[agent collective fact fstat].each { |p| require "mcollective/data/#{p}_data" }

STDIN.each_line do |line|
  request = JSON.parse(line)
  if request["meta"]
    puts JSON.generate({"result" => PluginManager["#{request["meta"]}_agent"].meta})
    next
  end
  begin
    plugin = Data[request["plugin"]]
    query = Data.ddl_transform_input(plugin.ddl, request["query"])
    result = plugin.lookup(query)
    puts JSON.generate({"result" => result.keys.map { |k| [k.to_s, result[k]] }.to_h})
  rescue Exception => e
    puts JSON.generate({"error" => "#{e.class}: #{e.message}"})
  end
  STDOUT.flush
end
