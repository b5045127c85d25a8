import type { LinkDestination } from "./destinations.js";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HEAD =
  '<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">';
const STYLE =
  "<style>body{font:18px/1.4 system-ui,sans-serif;margin:2em auto;max-width:26em;padding:0 1em;color:#222}a.d{display:block;margin:.6em 0;padding:.8em 1em;border:1px solid #ccc;border-radius:.5em;text-decoration:none;color:#0a58ca}</style>";

/** The page of an unknown or expired link (served with 404). */
export const NOT_FOUND_PAGE = `${HEAD}<title>Ссылка не найдена</title>${STYLE}</head><body><h1>Ссылка не найдена</h1><p>Ссылка устарела или набрана с ошибкой.</p></body></html>`;

/**
 * The chooser page of a link with several review destinations: the business's name and one link
 * per destination, straight to the stored URL.
 */
export function chooserPage(business: string, destinations: readonly LinkDestination[]): string {
  const links = destinations
    .map(
      (d) =>
        `<a class="d" href="${escapeHtml(d.url)}" rel="noreferrer noopener">${escapeHtml(d.name)}</a>`,
    )
    .join("");
  return `${HEAD}<title>${escapeHtml(business)}: отзыв</title>${STYLE}</head><body><h1>${escapeHtml(business)}</h1><p>Спасибо! Где вам удобнее оставить отзыв?</p>${links}</body></html>`;
}
