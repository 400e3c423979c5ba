-- wrk script: POST one chat completion per request (STREAM=1 in the environment asks for SSE).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1"
wrk.body = '{"model":"a","stream":' .. (stream and "true" or "false") .. ',"messages":[{"role":"user","content":"Hello there, how are you today?"}]}'
