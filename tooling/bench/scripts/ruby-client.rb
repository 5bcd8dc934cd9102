# Ruby MCollective's own client, timed from inside: the Ruby side of
# tooling/bench's in-process figures (src/lib/clients.ts runs it).
#   ruby ruby-client.rb CLIENT_CFG discovery-ping|rpcutil-ping ROUNDS TIMEOUT < identities
# Prints one JSON line per round: ms (send to last reply), replies, lost, cpuMs.
require "mcollective"
require "json"

config, kind, rounds, timeout = ARGV
identities = $stdin.read.split
rounds = Integer(rounds)
timeout = Integer(timeout)

options = MCollective::Util.default_options
options[:config] = config
options[:timeout] = timeout
options[:disctimeout] = timeout
options[:verbose] = false
options[:progress_bar] = false
MCollective::Config.instance.loadconfig(config)

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def cpu
  Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
end

if kind == "discovery-ping"
  client = MCollective::Client.new(options)
  rounds.times do
    seen = Hash.new(0)
    c0 = cpu
    t0 = now
    last = t0
    client.req("ping", "discovery", options, identities.dup) do |reply|
      seen[reply[:senderid]] += 1
      last = now
    end
    c1 = cpu
    replies = seen.values.sum
    lost = identities.count { |i| seen[i] == 0 }
    puts JSON.generate(ms: (last - t0) * 1000, replies: replies, lost: lost, cpuMs: (c1 - c0) * 1000)
  end
  client.disconnect
elsif kind == "rpcutil-ping"
  include MCollective::RPC
  rpc = rpcclient("rpcutil", :options => options)
  rpc.progress = false
  rpc.discover(:nodes => identities)
  rounds.times do
    seen = Hash.new(0)
    c0 = cpu
    t0 = now
    last = t0
    rpc.ping do |reply, result|
      seen[result[:sender]] += 1 if result[:statuscode] == 0
      last = now
    end
    c1 = cpu
    replies = seen.values.sum
    lost = identities.count { |i| seen[i] == 0 }
    puts JSON.generate(ms: (last - t0) * 1000, replies: replies, lost: lost, cpuMs: (c1 - c0) * 1000)
  end
  rpc.disconnect
else
  abort "ruby-client.rb: unknown request kind #{kind.inspect} (discovery-ping or rpcutil-ping)"
end
