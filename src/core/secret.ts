const encoder = new TextEncoder();

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/**
 * Compares a presented secret with known ones in constant time: both sides are hashed first (so
 * lengths do not leak), every known secret is compared (so which one matched does not leak), and
 * bytes are compared without early exit. Uses Web Crypto, available on Node 20+, Bun, Deno and
 * Workers.
 *
 * @returns The index of the matching known secret, or `-1`.
 */
export async function matchSecret(presented: string, known: readonly string[]): Promise<number> {
  const candidate = await digest(presented);
  let found = -1;
  for (let i = 0; i < known.length; i++) {
    const reference = await digest(known[i] as string);
    let diff = 0;
    for (let b = 0; b < reference.length; b++)
      diff |= (reference[b] as number) ^ (candidate[b] as number);
    if (diff === 0 && found === -1) found = i;
  }
  return found;
}

/** SHA-256 of a string as lowercase hex: a stable, non-reversible key part. */
export async function sha256Hex(value: string): Promise<string> {
  return Array.from(await digest(value), (b) => b.toString(16).padStart(2, "0")).join("");
}
