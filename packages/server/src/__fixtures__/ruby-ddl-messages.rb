# Validates each request read from stdin (one JSON object a line: action and data)
# against the DDL of demo-ddl.ts, written here in MCollective's own DDL language,
# and prints what MCollective 2.12.5 says: "OK" or the DDLValidationError message.
require "json"
require "mcollective"

ddl = MCollective::DDL.new("demo", :agent, false)
ddl.instance_eval <<'DDL'
metadata :name => "demo", :description => "Server test agent", :author => "Phobos",
         :license => "Apache-2.0", :version => "1.0", :url => "https://example.com/phobos", :timeout => 1
action "greet", :description => "Greets" do
  input :name, :prompt => "Name", :description => "who", :type => :string, :validation => '^\w+$',
               :optional => false, :maxlength => 10
  input :times, :prompt => "Times", :description => "n", :type => :integer, :optional => true, :default => 1
  input :color, :prompt => "Color", :description => "c", :type => :list, :list => ["red", "green"], :optional => true
  input :loud, :prompt => "Loud", :description => "l", :type => :boolean, :optional => true
  input :word, :prompt => "Word", :description => "how to greet", :type => :string, :validation => '^\w+$',
               :optional => false, :maxlength => 10, :default => "hello"
  output :greeting, :description => "What was said", :display_as => "Greeting", :default => "none"
  output :count, :description => "How often", :display_as => "Count"
end
DDL

STDIN.each_line do |line|
  request = JSON.parse(line)
  data = request["data"].map { |k, v| [k.to_sym, v] }.to_h
  begin
    ddl.validate_rpc_request(request["action"], data)
    puts "OK"
  rescue MCollective::DDLValidationError => e
    puts e.message
  end
end
