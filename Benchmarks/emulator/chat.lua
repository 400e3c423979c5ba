-- wrk script: POST one chat completion per request (STREAM=1 in the environment asks for SSE; MODEL names the
-- model, default "a": the emulator's model; a gateway is asked for its tier "t").
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1"
local model = os.getenv("MODEL") or "a"
wrk.body = '{"model":"' .. model .. '","stream":' .. (stream and "true" or "false") .. ',"messages":[{"role":"user","content":"Hello there, how are you today?"}]}'
