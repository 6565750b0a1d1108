// survey.js, the feedback widget: imported by the survey checker (t-surveys.js, surveys.js) only
// when GET /api/surveys lists surveys for the page. The list says which surveys match the page;
// this file decides the rest and shows at most one survey per page view:
//
//   1. For each survey of the list: may it show here and now (rules.js: device, new or
//      returning visitor, sample, frequency)? If so its trigger is armed (triggers.js; "event"
//      triggers fire from `name`, below).
//   2. The first trigger to fire shows its survey — if surveys are still on (window.footfall
//      .surveys), no other survey was shown on this page view, and the rules still allow it (a
//      tab next door may just have shown it). A hidden page waits until it is visible again.
//      The survey counts as shown from now (frequency), and an impression is recorded.
//   3. The widget (widget.js) records the answer, a follow-up comment, or the dismissal.
//
// The entry point is window.footfall._w(name, list, track, api, start), called by the checker
// (see surveys.js): with a list for every page view that has surveys (or, once this file is
// loaded, for every page view: an empty list stops what the page before had armed), with a name
// alone for every custom event. Responses go to POST /api/survey (next to the ingest URL) with
// the page URL, the visitor id and the gates of t.js's track() — on an excluded page nothing is
// sent — and `l`, the language shown. Nothing is thrown into the page, no global is added.
import { pick } from './lang.js';
import { allowed, shown } from './rules.js';
import { arm } from './triggers.js';
import { open } from './widget.js';

try {
  const footfall = window.footfall;
  if (!footfall._w) {
    let track;
    let api;
    let armed = []; // [survey, stop watching its trigger] for this page view
    let showing; // a widget is open
    let done; // a survey was shown on this page view

    // POST /api/survey; resolves to the response's id (of the first answer, for a repeat one), or
    // to nothing when it failed. Nothing is sent where t.js would send nothing.
    const record = (survey, locale) => (kind, fields) =>
      new Promise((resolve) =>
        track(0, Object.assign({ survey: survey.id, version: survey.version, kind, l: locale }, fields), (event) =>
          resolve(
            fetch(api + '/../survey', { method: 'POST', body: JSON.stringify(event), keepalive: true })
              .then((response) => response.json())
              .then((body) => body.id)
              .catch(() => {})
          )
        )
      );

    const show = (survey) => {
      try {
        if (showing || done || !footfall.surveys || !armed.some(([s]) => s == survey)) return;
        if (document.hidden) return addEventListener('visibilitychange', () => show(survey), { once: true });
        if (!allowed(survey)) return;
        done = showing = 1;
        armed.map(([, stop]) => stop());
        shown(survey);
        const locale = pick(survey.texts, survey.default_locale);
        const send = record(survey, locale);
        send('impression');
        open(survey, survey.texts[locale], locale, send, () => (showing = 0));
      } catch (e) {
        // Storage refused, or a page that broke the DOM's methods: no survey.
      }
    };

    footfall._w = (name, list, ...rest) => {
      try {
        if (list) {
          [track, api] = rest;
          armed.map(([, stop]) => stop());
          armed = [];
          done = 0;
          for (const survey of list) {
            try {
              if (allowed(survey)) armed.push([survey, arm(survey, rest[2], () => show(survey))]);
            } catch (e) {
              // Storage refused: nothing can show.
            }
          }
        }
        for (const [survey] of armed) if (survey.trigger.type == 'event' && survey.trigger.value === name) show(survey);
      } catch (e) {
        // Never throw into the page (nor into the checker).
      }
    };
  }
} catch (e) {
  // Loaded without t.js and its checker: nothing to do.
}
