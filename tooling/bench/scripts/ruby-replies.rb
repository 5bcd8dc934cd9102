# Ruby MCollective's client-side reply processing, for tooling/bench's bench:replies.
#   ruby ruby-replies.rb CLIENT_CFG make COUNT   -> COUNT base64 psk replies per kind ("kind base64" lines)
#   ruby ruby-replies.rb CLIENT_CFG decode SECS  < those lines -> "kind replies_per_second" lines
# One reply processed = what the Ruby client does with each reply of an RPC call:
# Message#decode! (psk: Marshal, hash check, Marshal of the body) and the RPC::Result.
require "mcollective"
require "base64"

config, mode, arg = ARGV
MCollective::Config.instance.loadconfig(config)
security = MCollective::PluginManager["security_plugin"]
security.initiated_by = :client

def payloads
  facts = (1..60).map { |i| ["fact_#{i}", "value number #{i}"] }.to_h
  {
    "ping" => {:statuscode => 0, :statusmsg => "OK", :data => {:pong => Time.now.to_i}},
    "inventory" => {
      :statuscode => 0,
      :statusmsg => "OK",
      :data => {
        :agents => %w[discovery rpcutil filemgr nettest package service puppet],
        :facts => facts,
        :classes => (1..25).map { |i| "role::class_#{i}" },
        :version => "2.12.5",
        :main_collective => "mcollective",
        :collectives => ["mcollective"],
        :data_plugins => %w[agent collective fact fstat],
      },
    },
  }
end

if mode == "make"
  count = Integer(arg)
  payloads.each do |kind, body|
    count.times do |i|
      MCollective::Config.instance.instance_variable_set(:@identity, "node#{i + 1}")
      wire = security.encodereply("rpcutil", body, "%032x" % i)
      puts "#{kind} #{Base64.strict_encode64(wire)}"
    end
  end
elsif mode == "decode"
  secs = Float(arg)
  by_kind = Hash.new { |h, k| h[k] = [] }
  $stdin.each_line do |line|
    kind, b64 = line.split
    by_kind[kind] << Base64.decode64(b64)
  end
  now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
  process = lambda do |wire|
    msg = MCollective::Message.new(wire, nil, :type => :reply, :headers => {})
    msg.decode!
    reply = msg.payload
    body = reply[:body]
    MCollective::RPC::Result.new("rpcutil", "inventory", {:sender => reply[:senderid], :statuscode => body[:statuscode], :statusmsg => body[:statusmsg], :data => body[:data]})
  end
  by_kind.each do |kind, wires|
    # Warm-up, then the best of five slices (the machine is shared).
    wires.each(&process)
    best = (1..5).map do
      n = 0
      t0 = now.call
      stop = t0 + secs / 5
      while (t = now.call) < stop
        wires.each(&process)
        n += wires.size
      end
      n / (t - t0)
    end.max
    puts "#{kind} #{best}"
  end
else
  abort "ruby-replies.rb: mode must be make or decode"
end
