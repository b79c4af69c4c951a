#!/usr/bin/env python3
"""Writes N Responses streams of D text deltas each, framed and shaped as OpenAI sends them
(lifecycle events, deltas with sequence_number, item_id, indexes, empty logprobs and
obfuscation, then the done events and response.completed with the whole text).

For benches/decode_process.sh (a benchmark, not a test): make_decode_streams.py DIR [N] [D]
"""
import json
import os
import random
import sys


def frame(out, event):
    out.write("event: %s\ndata: %s\n\n" % (event["type"], json.dumps(event, separators=(",", ":"))))


def response(rid, status, output, usage=None):
    return {
        "id": rid, "object": "response", "created_at": 1767225600, "status": status,
        "background": False, "error": None, "incomplete_details": None, "instructions": None,
        "max_output_tokens": None, "model": "gpt-5.1-2025-11-13", "output": output,
        "parallel_tool_calls": True, "previous_response_id": None, "store": True,
        "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto", "tools": [], "top_p": 1.0, "truncation": "disabled",
        "usage": usage, "user": None, "metadata": {},
    }


def stream(path, n, deltas, rng):
    words = ["Hello", " world", ",", " the", " quick", " brown", " fox", " jumps", " over",
             " the", " lazy", " dog", ".", " Streaming", " tokens", " arrive", " one", " by"]
    rid = "resp_%032x" % rng.getrandbits(128)
    mid = "msg_%032x" % rng.getrandbits(128)
    seq = 0
    with open(path, "w") as out:
        def send(event):
            nonlocal seq
            event["sequence_number"] = seq
            seq += 1
            frame(out, event)
        send({"type": "response.created", "response": response(rid, "in_progress", [])})
        send({"type": "response.in_progress", "response": response(rid, "in_progress", [])})
        item = {"id": mid, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}
        send({"type": "response.output_item.added", "output_index": 0, "item": item})
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        send({"type": "response.content_part.added", "item_id": mid, "output_index": 0,
              "content_index": 0, "part": part})
        text = []
        for i in range(deltas):
            word = words[rng.randrange(len(words))]
            text.append(word)
            obfuscation = "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(rng.randrange(2, 12)))
            send({"type": "response.output_text.delta", "item_id": mid, "output_index": 0,
                  "content_index": 0, "delta": word, "logprobs": [], "obfuscation": obfuscation})
        whole = "".join(text)
        send({"type": "response.output_text.done", "item_id": mid, "output_index": 0,
              "content_index": 0, "text": whole, "logprobs": []})
        part = dict(part, text=whole)
        send({"type": "response.content_part.done", "item_id": mid, "output_index": 0,
              "content_index": 0, "part": part})
        item = dict(item, status="completed", content=[part])
        send({"type": "response.output_item.done", "output_index": 0, "item": item})
        usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0},
                 "output_tokens": deltas, "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": deltas + 12}
        send({"type": "response.completed", "response": response(rid, "completed", [item], usage)})


def main():
    folder = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    deltas = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(42)
    for i in range(n):
        stream(os.path.join(folder, "stream-%03d.sse" % i), n, deltas, rng)


if __name__ == "__main__":
    main()
