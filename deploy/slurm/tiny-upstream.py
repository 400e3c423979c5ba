#!/usr/bin/env python3
"""A deterministic OpenAI chat-completions stand-in for deploy/slurm/test-local.sh: it answers at once with
the token counts the load generator hints (x-nexus-input-tokens, x-nexus-output-tokens capped by max_tokens)
as usage, so a sharded load and an unsharded one must agree on every count and cost. Not part of the load
path: it only gives the test something to load.

    tiny-upstream.py PORT MODEL_FOR_TIER...   e.g. tiny-upstream.py 18080 premium=acme/big cheap=acme/small
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENDPOINTS = dict(arg.split("=", 1) for arg in sys.argv[2:])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
        model = body.get("model", "")
        prompt = int(self.headers.get("x-nexus-input-tokens", "0"))
        completion = min(int(self.headers.get("x-nexus-output-tokens", "0")), int(body.get("max_tokens", 1 << 30)))
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        if body.get("stream"):
            chunks = [{"model": model, "choices": [{"index": 0, "delta": {"content": "ok"}}]},
                      {"model": model, "choices": [], "usage": usage}]
            data = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            kind = "text/event-stream"
        else:
            data = json.dumps({"model": model, "usage": usage,
                               "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]})
            kind = "application/json"
        raw = data.encode()
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(raw)))
        self.send_header("x-nexus-endpoint", ENDPOINTS.get(model, model))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
