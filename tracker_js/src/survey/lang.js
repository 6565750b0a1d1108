// The language a survey is shown in: the first of the browser's languages (navigator.languages,
// most preferred first) that the survey has texts for — the exact tag (zh-tw), then the base
// language (vi-VN -> vi), then another region of the same language (zh-CN -> zh-tw) — else the
// survey's default language. The rule of the collector's link pages (pipelines/surveys.py,
// pick_locale), so a visitor reads the same language on the page and in an e-mail's link.
export const pick = (texts, fallback) => {
  const offered = Object.keys(texts);
  for (let tag of navigator.languages || [navigator.language]) {
    tag = tag.toLowerCase();
    const base = tag.split('-')[0];
    const found =
      offered.find((locale) => locale == tag) ||
      offered.find((locale) => locale == base) ||
      offered.find((locale) => locale.split('-')[0] == base);
    if (found) return found;
  }
  return texts[fallback] ? fallback : offered[0];
};
