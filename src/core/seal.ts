import { fromBase64, toBase64 } from "./secret.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What {@link sealer} returns. */
export interface Sealer {
  /** Encrypts and authenticates `text`: base64url of a 12-byte IV and the AES-GCM ciphertext. */
  seal(text: string): Promise<string>;
  /** The text `seal` sealed, or `null` when it was sealed under another secret or altered. */
  open(sealed: string): Promise<string | null>;
}

/**
 * Seals what the requester must keep in the store but must not show there: the phone and email
 * of a sent message, kept (7 days) so that a status webhook reporting it undelivered can fall back
 * to the next channel. AES-256-GCM (Web Crypto, on every runtime) with a key derived from the
 * requester's `hashSecret` by HKDF-SHA-256, so no other secret is needed, and anyone reading the
 * store (a `MONITOR`, a dump, a backup) sees no contact.
 *
 * @param secret - The requester's `hashSecret` (a function: read on first use).
 */
export function sealer(secret: string | (() => string)): Sealer {
  let key: Promise<CryptoKey> | null = null;
  const keyOf = (): Promise<CryptoKey> => {
    key ??= (async () => {
      const base = await crypto.subtle.importKey(
        "raw",
        encoder.encode(typeof secret === "function" ? secret() : secret),
        "HKDF",
        false,
        ["deriveKey"],
      );
      return crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new Uint8Array(0),
          info: encoder.encode("otzovik seal v1"),
        },
        base,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    return key;
  };
  return {
    async seal(text) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyOf(), encoder.encode(text)),
      );
      const out = new Uint8Array(iv.length + sealed.length);
      out.set(iv);
      out.set(sealed, iv.length);
      return toBase64Url(out);
    },
    async open(sealed) {
      const bytes = fromBase64Url(sealed);
      if (bytes === null || bytes.length < 12 + 16) return null;
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: bytes.slice(0, 12) },
          await keyOf(),
          bytes.slice(12),
        );
        return decoder.decode(plain);
      } catch {
        return null;
      }
    },
  };
}

/** base64url without padding, over the standard base64 of `core/secret`. */
function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of base64url text, or `null` when it is not base64url. */
function fromBase64Url(text: string): Uint8Array | null {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  return fromBase64(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
}
