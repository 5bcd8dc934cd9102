# Asks one Ruby mcollectived, with MCollective's own RPC client in one process, for
# `rpcutil <action>` once per stdin line ({"action":…,"args":{…}}). Prints a JSON
# line per request: statuscode, statusmsg, and each output's Ruby inspect.
# ARGV: client config file, the node's identity.
require "json"
require "mcollective"

include MCollective::RPC

options = MCollective::Util.default_options.merge(:config => ARGV[0], :disctimeout => 1, :timeout => 5, :verbose => false)
mc = rpcclient("rpcutil", :options => options)
mc.progress = false
mc.discover(:nodes => [ARGV[1]])

STDIN.each_line do |line|
  request = JSON.parse(line)
  args = (request["args"] || {}).map { |k, v| [k.to_sym, v] }.to_h
  result = mc.send(request["action"], args).first
  if result.nil?
    puts JSON.generate({"error" => "no reply"})
  else
    data = result[:data].map { |k, v| [k.to_s, v.inspect] }.to_h
    puts JSON.generate({"statuscode" => result[:statuscode], "statusmsg" => result[:statusmsg], "data" => data})
  end
  STDOUT.flush
end
mc.disconnect
