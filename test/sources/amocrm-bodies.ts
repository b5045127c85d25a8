/**
 * Big amoCRM bodies for issue 9 item 1: `n` won leads and `n` contacts, none linked to a lead. The
 * one implementation is bench/amocrm-bodies.mjs, which `npm run bench` uses too.
 */
export {
  amocrmFormBody,
  amocrmJsonBody,
  type PhoneKind,
} from "../../bench/amocrm-bodies.mjs";
