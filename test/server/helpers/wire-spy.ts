import { WireConnection } from "@/server/kafka/wire";

/** Runs `run` while recording the API key of every raw protocol request the console sends, so a test can count them. */
export async function apiKeysAsked<T>(run: () => Promise<T>): Promise<{ result: T; asked: number[] }> {
  const asked: number[] = [];
  const request = WireConnection.prototype.request;
  WireConnection.prototype.request = function (this: WireConnection, apiKey: number, ...rest: [number, unknown, number]) {
    asked.push(apiKey);
    return request.call(this, apiKey, ...rest);
  } as typeof request;
  try {
    return { result: await run(), asked };
  } finally {
    WireConnection.prototype.request = request;
  }
}
