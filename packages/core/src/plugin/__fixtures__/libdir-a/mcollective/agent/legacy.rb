# Ruby code Phobos cannot run: ignored.
module MCollective; module Agent; class Legacy < RPC::Agent; end; end; end
