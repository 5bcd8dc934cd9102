# Ruby MCollective 2.12's own answer for each filter case: the reference the
# TypeScript matcher is compared against (src/filter/oracle.test.ts).
#
# stdin:  {"tmp": DIR, "nodes": [NODE...], "cases": [{"id", "args": [[FLAG, VALUE]...]}]}
#   NODE: {"identity", "facts", "classes": [...], "agents": {NAME: META}, "collectives": [...]}
# stdout: {"cases": [{"id", "error"?, "filter"?, "results": [true|false|"crash:Class"...]}]}
#
# Filters are built as Optionparser builds them (parse_fact_string,
# Matcher.create_compound_callstack, -W splitting) and judged by
# Security::Base#validate_filter? with the real agent, collective, fact and
# fstat data plugins Debian ships.
require "json"
require "tmpdir"

begin
  require "mcollective"
rescue LoadError => e
  warn "mcollective library missing (#{e.message}): run `sh tooling/scripts/provision.sh`"
  exit 3
end

$VERBOSE = nil
input = JSON.parse($stdin.read)
work = Dir.mktmpdir("matcher-oracle")
classes_file = File.join(work, "classes.txt")

config_file = File.join(work, "server.cfg")
File.write(config_file, <<~CFG)
  libdir = /usr/lib/ruby/vendor_ruby
  identity = oracle
  logger_type = console
  loglevel = fatal
  classesfile = #{classes_file}
  collectives = mcollective
  main_collective = mcollective
  securityprovider = psk
  plugin.psk = oracle
  connector = rabbitmq
  factsource = yaml
  plugin.yaml = #{File.join(work, "facts.yaml")}
CFG

MCollective::Config.instance.loadconfig(config_file)
MCollective::Log.configure
MCollective::Data.load_data_sources
# loadconfig registered the yaml source; ours takes its place (inherited() registers it).
MCollective::PluginManager.delete("facts_plugin")

module MCollective
  module Facts
    # Facts come from each case's node, normalised by Facts::Base like any source.
    class Oracle_facts < Base
      def load_facts_from_source
        $oracle_facts
      end

      def force_reload?
        true
      end
    end
  end

  # Stands in for a loaded agent: the agent data plugin reads only #meta.
  class OracleAgent
    attr_reader :meta

    def initialize(meta)
      @meta = meta
    end
  end

  class OracleStats
    def passed; end

    def filtered; end
  end
end

$oracle_agents = []
MCollective::Agents.define_singleton_method(:agentlist) { $oracle_agents }

security = MCollective::Security::Base.allocate
security.instance_variable_set(:@stats, MCollective::OracleStats.new)

def use_node(node, classes_file)
  config = MCollective::Config.instance
  config.instance_variable_set(:@identity, node["identity"])
  config.instance_variable_set(:@collectives, node["collectives"] || ["mcollective"])
  File.write(classes_file, (node["classes"] || []).map { |c| "#{c}\n" }.join)
  $oracle_facts = node["facts"] || {}

  MCollective::PluginManager.delete("facts_plugin")
  MCollective::PluginManager << {:type => "facts_plugin", :class => "MCollective::Facts::Oracle_facts"}

  MCollective::PluginManager.pluginlist.grep(/_agent$/).each { |p| MCollective::PluginManager.delete(p) }
  agents = node["agents"] || {}
  agents.each do |name, meta|
    symbolised = meta.each_with_object({}) { |(k, v), h| h[k.to_sym] = v }
    MCollective::PluginManager << {:type => "#{name}_agent", :class => MCollective::OracleAgent.new(symbolised)}
  end
  $oracle_agents = agents.keys
end

def build_filter(args)
  filter = MCollective::Util.empty_filter
  args.each do |flag, value|
    case flag
    when "-F" then filter["fact"] << MCollective::Util.parse_fact_string(value)
    when "-C" then filter["cf_class"] << value
    when "-A" then filter["agent"] << value
    when "-I" then filter["identity"] << value
    when "-S" then filter["compound"] << MCollective::Matcher.create_compound_callstack(value)
    when "-W"
      value.split(" ").each do |word|
        begin
          filter["fact"] << MCollective::Util.parse_fact_string(word)
        rescue
          filter["cf_class"] << word
        end
      end
    when "+collective" then filter["collective"] = value
    else raise ArgumentError, "unknown flag #{flag}"
    end
  end
  filter
end

def plain(value)
  case value
  when Hash then value.each_with_object({}) { |(k, v), h| h[k.to_s] = plain(v) }
  when Array then value.map { |v| plain(v) }
  when Regexp then {"regexp" => {"source" => value.source, "options" => value.options}}
  else value
  end
end

out = {"cases" => []}
input["cases"].each do |c|
  entry = {"id" => c["id"]}
  begin
    filter = build_filter(c["args"])
  rescue Exception => e
    entry["error"] = e.class.to_s
    out["cases"] << entry
    next
  end
  entry["filter"] = plain(filter)
  entry["results"] = input["nodes"].map do |node|
    use_node(node, classes_file)
    begin
      security.validate_filter?(Marshal.load(Marshal.dump(filter)))
    rescue Exception => e
      "crash:#{e.class}"
    end
  end
  out["cases"] << entry
end

FileUtils.rm_rf(work)
puts JSON.generate(out)
