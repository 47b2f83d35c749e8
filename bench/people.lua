-- wrk script: POST /api/v1/people as an official, a new person per request (a write that
-- touches the encrypted-field path and the name index). TOKEN from the environment.
local token = os.getenv("TOKEN")
assert(token, "TOKEN not set")
local n, tid = 0, 0
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args) tid = tonumber(tid) or 0 end
local names = { "Siti Aminah", "Budi Santoso", "Ahmad Fauzi", "Dewi Lestari", "Muhammad Rizki", "Nur Hasanah" }
function request()
  n = n + 1
  local body = string.format('{"fullName":"%s %d-%d","regionCode":"36.73.05.1001","phone":"0812%08d"}',
    names[n % #names + 1], tid, n, (tid * 10000000 + n) % 100000000)
  return wrk.format("POST", "/api/v1/people", { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
