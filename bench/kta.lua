-- wrk script: GET /api/v1/public/kta/{code}, rotating over real verify codes.
-- The codes file (one per line) is named by the environment variable KTA_CODES.
-- Each wrk thread has its own Lua state; each starts at a different place in the list.

local codes = {}
for line in io.lines(os.getenv("KTA_CODES")) do
  if #line > 0 then codes[#codes + 1] = line end
end
assert(#codes > 0, "no verify codes in " .. tostring(os.getenv("KTA_CODES")))

local i = 0

function setup(thread)
  thread:set("offset", math.random(#codes))
end

function init(args)
  i = tonumber(offset) or 0
end

function request()
  i = i % #codes + 1
  return wrk.format("GET", "/api/v1/public/kta/" .. codes[i])
end
