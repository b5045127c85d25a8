/** Phones of the generated contacts: Moscow landlines or Moscow mobiles. */
export type PhoneKind = "landline" | "mobile";

/** A JSON body of `n` won leads and `n` unlinked contacts (400 + 400 is the 24 KB body). */
export function amocrmJsonBody(n: number, kind?: PhoneKind): string;

/** The same as amoCRM's form body: ~1.2 KB per lead + contact, 800 + 800 is ~1 MB. */
export function amocrmFormBody(n: number, kind?: PhoneKind): string;
