# One MCollective-style round trip through a STOMP broker with the Ruby stomp
# gem, configured as MCollective 2.12's rabbitmq connector configures it.
# Usage: ruby mcollective-stomp-gem.rb PORT; prints one JSON document.
require "stomp"
require "json"
require "timeout"

port = Integer(ARGV.fetch(0))

def connection(port, headers)
  Stomp::Connection.new(
    hosts: [{ login: "mcollective", passcode: "marionette", host: "127.0.0.1", port: port, ssl: false }],
    reliable: false,
    connect_timeout: 5,
    max_hbread_fails: 2,
    connect_headers: headers,
  )
end

def frame(message)
  { "command" => message.command, "headers" => message.headers, "body_hex" => message.body.unpack1("H*") }
end

Timeout.timeout(20) do
  # A daemon without heart-beats (STOMP 1.0), a client with them (STOMP 1.1, as
  # plugin.rabbitmq.heartbeat_interval = 30 sets up).
  daemon = connection(port, { "accept-version": "1.0", host: "/mcollective" })
  client = connection(port, { "accept-version": "1.1,1.0", host: "/mcollective", "heart-beat": "30500,29500" })

  daemon.subscribe("/exchange/mcollective_directed/node1", {})
  daemon.subscribe("/exchange/mcollective_broadcast/discovery",
                   { "reply-to" => "/temp-queue/mcollective_reply_discovery", "receipt" => "ready" })
  ready = daemon.receive
  raise "expected RECEIPT, got #{ready.command}" unless ready.command == "RECEIPT"

  request_body = "\x04\bI\"\tping\x06:\x06ET\x00\x00binary\x00".b
  client.publish("/exchange/mcollective_broadcast/discovery", request_body,
                 { "reply-to" => "/temp-queue/mcollective_reply_discovery",
                   "expiration" => "70000", "mc_sender" => "rubyclient" })
  request = daemon.receive

  reply_body = "\x04\bI\"\tpong\x06:\x06ET\x00".b
  daemon.publish(request.headers["reply-to"], reply_body, { "expiration" => "70000", "mc_sender" => "node1" })
  reply = client.receive

  # A directed request reaches the daemon's identity subscription.
  client.publish("/exchange/mcollective_directed/node1", request_body,
                 { "reply-to" => "/temp-queue/mcollective_reply_rpcutil",
                   "expiration" => "70000", "mc_sender" => "rubyclient" })
  directed = daemon.receive

  result = {
    "daemon_protocol" => daemon.protocol,
    "client_protocol" => client.protocol,
    "client_heartbeats" => client.hbsend_interval.to_i,
    "request" => frame(request),
    "reply" => frame(reply),
    "directed" => frame(directed),
  }
  client.disconnect
  daemon.disconnect
  puts JSON.generate(result)
end
