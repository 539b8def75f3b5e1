"""The wrk scripts of the benchmark, written out per run (wrk takes Lua files)."""

INTAKE = r"""
local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"
local template = [[__TEMPLATE__]]
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer __TOKEN__"}

local function resident_id()
  local s = "371502" .. string.format("%04d%02d%02d%03d", math.random(1950, 2004),
    math.random(1, 12), math.random(1, 28), math.random(0, 999))
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(s:sub(i, i)) * weights[i] end
  local c = (sum % 11) + 1
  return s .. checks:sub(c, c)
end

request = function()
  local body = template:gsub("__ID__", resident_id())
  return wrk.format("POST", "__PATH__", headers, body)
end
"""

BY_ID = r"""
local ids = {}
local threads = {}
local counter = 0
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer __TOKEN__"}

setup = function(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

init = function(args)
  for line in io.lines("__IDS__") do table.insert(ids, line) end
  index = offset
  step = __THREADS__
end

request = function()
  index = index + step
  local id = ids[(index % #ids) + 1]
  return wrk.format("__METHOD__", string.format("__PATH__", id), headers, [[__BODY__]])
end
"""

PLAIN = r"""
local headers = {["Authorization"] = "Bearer __TOKEN__"}
request = function()
  return wrk.format("GET", "__PATH__", headers)
end
"""
