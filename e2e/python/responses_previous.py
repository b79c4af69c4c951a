"""Two turns through the gateway with the openai Python SDK: `responses.create`, then
`responses.create(previous_response_id=...)`, then `responses.retrieve` of the second.

usage: responses_previous.py BASE_URL MODEL

Prints one JSON object with both responses' ids, texts and statuses, and what `retrieve`
returned for the second one.
"""

import json
import sys

from openai import OpenAI


def main() -> None:
    base_url, model = sys.argv[1], sys.argv[2]
    client = OpenAI(base_url=base_url, api_key="e2e-key", max_retries=0, timeout=30)
    first = client.responses.create(model=model, input="My name is Ada. Remember it.")
    second = client.responses.create(
        model=model,
        input="What is my name?",
        previous_response_id=first.id,
    )
    got = client.responses.retrieve(second.id)
    print(
        json.dumps(
            {
                "first": {"id": first.id, "status": first.status, "text": first.output_text},
                "second": {
                    "id": second.id,
                    "status": second.status,
                    "text": second.output_text,
                    "previous_response_id": second.previous_response_id,
                },
                "retrieved": {
                    "id": got.id,
                    "status": got.status,
                    "text": got.output_text,
                    "previous_response_id": got.previous_response_id,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
