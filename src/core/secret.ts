const encoder = new TextEncoder();

type NodeCrypto = {
  createHash(algorithm: string): { update(data: string): { digest(): Uint8Array } };
};

/** Node's (and Bun's, Deno's) synchronous hashing when the runtime has it; Web Crypto otherwise. */
const nodeCrypto = (() => {
  try {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process?.getBuiltinModule;
    return (getBuiltin?.("node:crypto") as NodeCrypto | undefined) ?? null;
  } catch {
    return null;
  }
})();

/** SHA-256 of a string. */
async function digest(value: string): Promise<Uint8Array> {
  if (nodeCrypto) return new Uint8Array(nodeCrypto.createHash("sha256").update(value).digest());
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/**
 * Compares presented secrets with known ones in constant time: both sides are hashed first (so
 * lengths do not leak), every known secret is compared (so which one matched does not leak), and
 * bytes are compared without early exit. The known secrets are hashed once, up front.
 *
 * @param known - The secrets to accept (webhook keys, several during a rotation).
 * @returns A function resolving the index of the matching known secret, or `-1`.
 */
export function secretMatcher(known: readonly string[]): (presented: string) => Promise<number> {
  const references = Promise.all(known.map(digest));
  return async (presented) => {
    const candidate = await digest(presented);
    let found = -1;
    const refs = await references;
    for (let i = 0; i < refs.length; i++) {
      const reference = refs[i] as Uint8Array;
      let diff = 0;
      for (let b = 0; b < reference.length; b++)
        diff |= (reference[b] as number) ^ (candidate[b] as number);
      if (diff === 0 && found === -1) found = i;
    }
    return found;
  };
}

/** SHA-256 of a string as lowercase hex: a stable, non-reversible key part. */
export async function sha256Hex(value: string): Promise<string> {
  return Array.from(await digest(value), (b) => b.toString(16).padStart(2, "0")).join("");
}
