"""Streams one Responses turn through the gateway with the openai Python SDK.

usage: responses_stream.py BASE_URL MODEL TOOLS_JSON

Prints one JSON object: the streamed text (from `response.output_text.delta` events), the final
response's text, status and function calls, and the event types in order. Exits non-zero with
the error if the SDK raises (a parse error, an error event, a failed response).
"""

import json
import sys

from openai import OpenAI


def main() -> None:
    base_url, model, tools = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    client = OpenAI(base_url=base_url, api_key="e2e-key", max_retries=0, timeout=30)
    streamed = ""
    types = []
    with client.responses.stream(
        model=model,
        input="What is the weather? Use the tool.",
        tools=tools,
    ) as stream:
        for event in stream:
            types.append(event.type)
            if event.type == "response.output_text.delta":
                streamed += event.delta
        final = stream.get_final_response()
    calls = [
        {"name": item.name, "arguments": item.arguments, "call_id": item.call_id}
        for item in final.output
        if item.type == "function_call"
    ]
    print(
        json.dumps(
            {
                "id": final.id,
                "status": final.status,
                "streamed_text": streamed,
                "output_text": final.output_text,
                "tool_calls": calls,
                "event_types": types,
            }
        )
    )


if __name__ == "__main__":
    main()
