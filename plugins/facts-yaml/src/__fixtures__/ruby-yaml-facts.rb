# MCollective 2.12.5's yaml fact source (with @phobos/interop's Ruby 3.1 fix first on
# the load path): ARGV[0] is the fix directory, ARGV[1] the `plugin.yaml` value.
# Prints the facts the daemon would hold (normalised to Strings) as JSON.
$LOAD_PATH.unshift(ARGV[0])
require "json"
require "mcollective"
require "mcollective/facts/yaml_facts"

MCollective::Log.configure(MCollective::Logger::Console_logger.new) rescue nil
MCollective::Log.set_level(:fatal) rescue nil
config = MCollective::Config.instance
config.instance_variable_set(:@pluginconf, {"yaml" => ARGV[1]})
config.instance_variable_set(:@fact_cache_time, 300)
puts JSON.generate(MCollective::Facts::Yaml_facts.new.get_facts)
