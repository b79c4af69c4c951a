// Streams one turn through the gateway with the openai Node SDK (`client.responses.stream`).
//
// usage: node openai_stream.mjs BASE_URL MODEL
//
// Prints one JSON object: the text from `response.output_text.delta` events, the final
// response's text and status, and the event types in order. Exits non-zero if the SDK throws.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "e2e-key", maxRetries: 0, timeout: 30_000 });
const stream = client.responses.stream({ model, input: "Say something." });
let text = "";
const types = [];
for await (const event of stream) {
  types.push(event.type);
  if (event.type === "response.output_text.delta") text += event.delta;
}
const final = await stream.finalResponse();
console.log(
  JSON.stringify({
    id: final.id,
    status: final.status,
    streamedText: text,
    outputText: final.output_text,
    types,
  }),
);
