-- wrk script: POST /api/v1/tally/{station} as the bench witness, one TPS after another.
-- The file named by TALLY_FILE holds the bearer token on line 1, then one TPS id per line
-- (written by `simpul bench-tally setup --assign N --out FILE`). Each wrk thread takes
-- its own share of the TPS, so every request is a first tally (accepted, 201) until the
-- list runs out; after that requests are resends (duplicate, 201) and still do the work.

local token, stations = nil, {}
for line in io.lines(os.getenv("TALLY_FILE")) do
  if not token then token = line elseif #line > 0 then stations[#stations + 1] = line end
end
assert(token and #stations > 0, "no token/stations in " .. tostring(os.getenv("TALLY_FILE")))

local threads, n = 2, 0
function setup(thread)
  thread:set("id", n)
  n = n + 1
end

local i, step = 0, 1
function init(args)
  i = tonumber(id) or 0
  step = threads
end

local body = '{"votersPresent":200,"validVotes":190,"invalidVotes":10,"parties":{"1":100,"2":60,"3":30}}'
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

function request()
  local station = stations[i % #stations + 1]
  i = i + step
  return wrk.format("POST", "/api/v1/tally/" .. station, headers, body)
end
