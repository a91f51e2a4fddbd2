-- GET /mp/v1/me, rotating over the tokens of many users (one per line of
-- the file named by the TOKENS environment variable), as real traffic does.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local index = 0
request = function()
    index = index % #tokens + 1
    return wrk.format("GET", "/mp/v1/me", {
        ["Authorization"] = "Bearer " .. tokens[index]})
end
