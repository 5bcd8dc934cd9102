module MCollective
  module Agent
    # The classic registration receiver (the Puppet module's /var/tmp/mcollective
    # agent), for interop tests: each registration that arrives is stored as
    # Marshal in plugin.registration.directory, one file per sender, with the
    # envelope fields a receiver sees beside the body.
    class Registration
      attr_reader :timeout, :meta

      def initialize
        @timeout = 5
        @meta = {:name => "registration", :description => "stores registrations for tests",
                 :author => "phobos", :license => "Apache-2.0", :version => "1.0",
                 :url => "https://example.invalid", :timeout => 5}
        @dir = Config.instance.pluginconf["registration.directory"] || "/var/tmp/mcollective"
      end

      def handlemsg(msg, connection)
        record = {
          "envelope_keys" => msg.keys.map(&:to_s),
          "senderid" => msg[:senderid],
          "agent" => msg[:agent],
          "collective" => msg[:collective],
          "callerid" => msg[:callerid],
          "ttl" => msg[:ttl],
          "filter" => msg[:filter],
          "body" => msg[:body],
        }
        file = File.join(@dir, "#{msg[:senderid]}.marshal")
        File.binwrite("#{file}.tmp", Marshal.dump(record))
        File.rename("#{file}.tmp", file)
        Log.info("Stored the registration of #{msg[:senderid]} in #{file}")
        nil
      end
    end
  end
end
