-- Registers a new, distinct AVRO schema on every request: a record whose one field name
-- carries the run, the wrk thread and a per-thread counter, so no two requests are equal.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"R\\",\\"fields\\":[{\\"name\\":\\"f_@RUN@_%d_%d\\",\\"type\\":\\"int\\"}]}"}', tid, counter)
  return wrk.format("POST", "@PATH@", { ["Content-Type"] = "application/vnd.schemaregistry.v1+json" }, body)
end
