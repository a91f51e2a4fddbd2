-- GET the path in the TARGET environment variable, rotating over the
-- tokens of many users (one per line of the file named by TOKENS), as
-- real traffic does.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local target = os.getenv("TARGET")
local index = 0
request = function()
    index = index % #tokens + 1
    return wrk.format("GET", target, {
        ["Authorization"] = "Bearer " .. tokens[index]})
end
