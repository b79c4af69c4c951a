// Streams one turn through the gateway with the Vercel AI SDK (`@ai-sdk/openai`'s Responses
// provider, `streamText`).
//
// usage: node ai_sdk_stream.mjs BASE_URL MODEL [TOOL_NAMES_JSON]
//
// With TOOL_NAMES_JSON (a JSON list of names), each name is offered as a tool without `execute`,
// so a tool call ends the step and is reported in `toolCalls` (name and parsed input).
//
// Prints one JSON object: the text of the full stream's `text-delta` parts (and of its
// `reasoning-delta` parts), how many parts of
// each type it saw, the errors the SDK reported (parse errors show up here as `error` parts),
// the finish reason and the usage. Exits 1 when the SDK reported any error (through
// `process.exitCode`: `process.exit` could cut off stdout written to a pipe).
import { createOpenAI } from "@ai-sdk/openai";
import { jsonSchema, streamText, tool } from "ai";

const [baseURL, model, toolNames] = process.argv.slice(2);
const tools = toolNames
  ? Object.fromEntries(
      JSON.parse(toolNames).map((name) => [
        name,
        tool({
          description: "a tool of the recording",
          inputSchema: jsonSchema({ type: "object", properties: {}, additionalProperties: true }),
        }),
      ]),
    )
  : undefined;
const openai = createOpenAI({ baseURL, apiKey: "e2e-key" });
const errors = [];
const result = streamText({
  model: openai.responses(model),
  prompt: "Say something.",
  tools,
  maxRetries: 0,
  onError: ({ error }) => errors.push(String(error?.stack ?? error)),
});
let text = "";
let reasoning = "";
const toolCalls = [];
const parts = {};
for await (const part of result.fullStream) {
  parts[part.type] = (parts[part.type] ?? 0) + 1;
  if (part.type === "text-delta") text += part.text ?? part.delta ?? "";
  if (part.type === "reasoning-delta") reasoning += part.text ?? part.delta ?? "";
  if (part.type === "tool-call") toolCalls.push({ toolName: part.toolName, input: part.input });
  if (part.type === "error") errors.push(String(part.error?.stack ?? JSON.stringify(part.error)));
}
let finishReason = null;
let usage = null;
let finalText = null;
try {
  finishReason = await result.finishReason;
  usage = await result.usage;
  finalText = await result.text;
} catch (error) {
  errors.push(String(error?.stack ?? error));
}
console.log(JSON.stringify({ text, finalText, reasoning, toolCalls, parts, errors, finishReason, usage }));
process.exitCode = errors.length ? 1 : 0;
