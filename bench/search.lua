-- wrk script: GET /api/v1/people?q=NAME as an official (the main list/search read). TOKEN from the environment.
local token = os.getenv("TOKEN")
assert(token, "TOKEN not set")
local names = { "siti", "budi", "ahmad", "dewi", "muhamad", "hasanah", "rizki", "lestari" }
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", "/api/v1/people?per=50&q=" .. names[i % #names + 1], { ["Authorization"] = "Bearer " .. token })
end
