/**
 * Reads a request body as text, or null when it is larger than `max` bytes. A declared
 * Content-Length is checked before reading anything (Node enforces the framing); a chunked body is
 * read with a running count and abandoned past the limit. Hono's bodyLimit middleware does the
 * same by re-wrapping every body in a new stream, which cut the token route's throughput by 4x.
 * Throws BodyReadError when the body cannot be read (the client hung up mid-body).
 */
export async function readBodyLimited(request: Request, max: number): Promise<string | null> {
  try {
    return await read(request, max);
  } catch (error) {
    throw new BodyReadError((error as Error).message, { cause: error });
  }
}

/**
 * The client went away (or broke the framing) while its body was being read: nobody is left to
 * answer, and it is no fault of the server's (src/app.ts logs it at debug, not as an error).
 */
export class BodyReadError extends Error {
  override name = "BodyReadError";
}

async function read(request: Request, max: number): Promise<string | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null) return Number(declared) > max ? null : request.text();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
