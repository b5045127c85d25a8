const encoder = new TextEncoder();

interface NodeDigest {
  update(data: string): { digest(): Uint8Array; digest(encoding: "hex"): string };
}

type NodeCrypto = {
  createHash(algorithm: string): NodeDigest;
  createHmac(algorithm: string, key: string | object): NodeDigest;
  createSecretKey?(key: Uint8Array): object;
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
  return hex(await digest(value));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A keyed hash (HMAC-SHA-256, first 128 bits as hex): stable for one secret on every process and
 * runtime, and not reversible without the secret — unlike a plain hash of a phone number, which
 * anyone can reverse by hashing every number.
 *
 * @param secret - The key, or a function giving it; read on the first hash, not before (Workers
 *   allow no random values at start-up).
 * @returns A function hashing values with that key.
 */
export function keyedHasher(secret: string | (() => string)): (value: string) => Promise<string> {
  let key: string | null = null;
  let nodeKey: string | object | null = null;
  let webKey: Promise<CryptoKey> | null = null;
  const keyText = () => {
    key ??= typeof secret === "function" ? secret() : secret;
    return key;
  };
  return async (value) => {
    if (nodeCrypto) {
      // A key object is imported once, not on every hash (a string key is, each time).
      nodeKey ??= nodeCrypto.createSecretKey?.(encoder.encode(keyText())) ?? keyText();
      return nodeCrypto.createHmac("sha256", nodeKey).update(value).digest("hex").slice(0, 32);
    }
    webKey ??= crypto.subtle.importKey(
      "raw",
      encoder.encode(keyText()),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const signature = await crypto.subtle.sign("HMAC", await webKey, encoder.encode(value));
    return hex(new Uint8Array(signature)).slice(0, 32);
  };
}

/** A random secret for this process (hex), for keyed hashes that need not outlive it. */
export function randomSecret(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}
