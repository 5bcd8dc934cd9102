# Debian's MCollective 2.12.5 psk plugin, asked in one process: each stdin line is a
# JSON command; each answer is one JSON line.
#   {"op":"decode","kind":"request"|"reply","base64":…,"psk":…}  → decodemsg's result
#   {"op":"encode_request","psk":…,"callerid_type":…}              → a request Ruby signed
#   {"op":"callerid","callertype":…,"identity":…}                   → psk.callerid
require "base64"
require "json"
require "mcollective"
require "mcollective/security/psk"

MCollective::Log.configure(MCollective::Logger::Console_logger.new) rescue nil
MCollective::Log.set_level(:fatal) rescue nil
config = MCollective::Config.instance
MCollective::PluginManager << {:type => "global_stats", :class => MCollective::RunnerStats.new}

Msg = Struct.new(:payload, :expected_msgid)

def configure(config, psk:, callertype: nil, identity: "ruby-node")
  conf = {"psk" => psk}
  conf["psk.callertype"] = callertype if callertype
  config.instance_variable_set(:@pluginconf, conf)
  config.instance_variable_set(:@identity, identity)
end

STDIN.each_line do |line|
  cmd = JSON.parse(line)
  begin
    case cmd["op"]
    when "decode"
      configure(config, psk: cmd["psk"])
      psk = MCollective::Security::Psk.new
      decoded = psk.decodemsg(Msg.new(Base64.decode64(cmd["base64"]), nil))
      body = decoded.delete(:body)
      if cmd["kind"] == "request" && !psk.valid_callerid?(decoded[:callerid])
        raise "callerid in request is not valid"
      end
      puts JSON.generate({"ok" => true, "body" => body.inspect, "envelope" => decoded.inspect})
    when "encode_request"
      configure(config, psk: cmd["psk"], identity: "ruby-client")
      psk = MCollective::Security::Psk.new
      filter = MCollective::Util.empty_filter
      filter["agent"] << "rpcutil"
      body = {:agent => "rpcutil", :action => "get_fact", :caller => psk.callerid,
              :data => {:fact => "operatingsystem", :process_results => true}}
      bytes = psk.encoderequest("ruby-client", body, "0123456789abcdef0123456789abcdef", filter, "rpcutil", "mcollective", 60)
      puts JSON.generate({"ok" => true, "base64" => Base64.strict_encode64(bytes)})
    when "callerid"
      configure(config, psk: "x", callertype: cmd["callertype"], identity: cmd["identity"])
      puts JSON.generate({"ok" => true, "callerid" => MCollective::Security::Psk.new.callerid})
    end
  rescue Exception => e
    puts JSON.generate({"ok" => false, "error" => "#{e.class}: #{e.message}"})
  end
  STDOUT.flush
end
