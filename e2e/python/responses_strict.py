"""Every Response object the gateway writes, read by the openai Python SDK's typed models, has
every field OpenAI's carries; `responses.compact` returns a compaction.

usage: responses_strict.py BASE_URL MODEL

Reads a non-streaming `responses.create` (its raw JSON validated by `Response.model_validate`),
the `response` of each lifecycle event of a streaming one, `responses.retrieve`, and
`responses.compact`. Prints one JSON object: for each object read, the fields it lacks (of
OpenAI's list in shared/notes/responses-server.md and of the SDK model's required fields), and
the compaction's output item types.
"""

import json
import sys

from openai import OpenAI
from openai.types.responses import CompactedResponse, Response

# The fields of a real OpenAI Response object (shared/notes/responses-server.md).
OPENAI_FIELDS = (
    "id object created_at status background completed_at error frequency_penalty "
    "incomplete_details instructions max_output_tokens max_tool_calls model output "
    "parallel_tool_calls presence_penalty previous_response_id prompt_cache_key "
    "prompt_cache_retention reasoning safety_identifier service_tier store temperature text "
    "tool_choice tools top_logprobs top_p truncation usage user metadata"
).split()


def required(model) -> set:
    return {name for name, field in model.model_fields.items() if field.is_required()}


def lacking(present: set, model, expected=()) -> list:
    return sorted((set(expected) | required(model)) - present)


def fields_of(obj) -> set:
    # Fields the SDK read from the JSON (its models are built from the keys present), plus
    # the extra keys it kept, such as `store` and the penalties.
    return set(obj.model_fields_set) | set((obj.model_extra or {}).keys())


def main() -> None:
    base_url, model = sys.argv[1], sys.argv[2]
    client = OpenAI(base_url=base_url, api_key="e2e-key", max_retries=0, timeout=30)
    out = {}

    raw = client.responses.with_raw_response.create(model=model, input="Say hi.")
    body = raw.http_response.json()
    Response.model_validate(body)  # strict: raises on a wrong type
    created = raw.parse()
    out["create"] = lacking(set(body.keys()), Response, OPENAI_FIELDS)

    streamed = {}
    with client.responses.create(model=model, input="Say hi.", stream=True) as stream:
        for event in stream:
            if hasattr(event, "response") and event.type.startswith("response."):
                streamed[event.type] = lacking(fields_of(event.response), Response, OPENAI_FIELDS)
    out["stream"] = streamed

    got = client.responses.retrieve(created.id)
    out["retrieve"] = lacking(fields_of(got), Response, OPENAI_FIELDS)

    compacted = client.responses.compact(
        model=model,
        input=[
            {"role": "user", "content": "My name is Ada."},
            {"role": "assistant", "content": "Hello Ada."},
            {"role": "user", "content": "Remember my name."},
        ],
    )
    out["compact"] = {
        "lacking": lacking(fields_of(compacted), CompactedResponse),
        "object": compacted.object,
        "output_types": [item.type for item in compacted.output],
        "created_at_is_int": isinstance(compacted.created_at, int),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
