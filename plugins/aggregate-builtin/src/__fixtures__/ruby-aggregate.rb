# MCollective 2.12.5's aggregate functions, in one process: each stdin line is
# {"function":…,"output":…,"values":[…],"format":…}; each answer one JSON line with
# what `mco rpc` prints for it (Aggregate::Result#to_s), or the error.
require "json"
require "stringio"
require "mcollective"

%w[base result/base result/numeric_result result/collection_result summary sum average].each do |f|
  require "mcollective/aggregate/#{f}"
end

STDIN.each_line do |line|
  c = JSON.parse(line)
  begin
    klass = MCollective::Aggregate.const_get(c["function"].capitalize)
    function = klass.new(c["output"].to_sym, [], c["format"], :action)
    c["values"].each { |v| function.process_result(v, nil) }
    puts JSON.generate({"text" => function.summarize.to_s})
  rescue Exception => e
    puts JSON.generate({"error" => "#{e.class}: #{e.message}"})
  end
end
