module MCollective
  module Agent
    class Echo<RPC::Agent
      action "echo" do
        reply[:message] = request[:message]
      end
    end
  end
end
