import { createHash } from "node:crypto";
import { AppError } from "../errors";
import type { ArtifactData } from "./types";

export function tooLarge(limit: number): AppError {
  return new AppError("payload_too_large", `Artifact is over the ${limit}-byte limit`);
}

/** Yields the chunks of any accepted input. */
export async function* chunksOf(data: ArtifactData): AsyncIterable<Uint8Array> {
  if (typeof data === "string") {
    yield Buffer.from(data, "utf8");
  } else if (data instanceof Uint8Array) {
    yield data;
  } else if (typeof (data as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* data as AsyncIterable<Uint8Array>;
  }
}

/** Reads everything into memory, failing as soon as the limit is passed. */
export async function collect(data: ArtifactData, limit: number): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash("sha256");
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(data)) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    hash.update(chunk);
    parts.push(chunk);
  }
  return { bytes: Buffer.concat(parts), sha256: hash.digest("hex") };
}
