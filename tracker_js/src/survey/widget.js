// The widget: a non-modal dialog in a shadow root, fixed at the bottom right of the viewport
// (the whole width, less 12 px each side, on a phone). Steps: the question, then the follow-up
// question if the survey has one (after a score), then a thank-you note that closes itself after
// 4 s. Every text is set as text (textContent, never HTML).
//
// Accessibility:
// - role="dialog", labelled by the question (aria-labelledby), lang set to the language shown.
// - Scales (CSAT 1–5, NPS 0–10, CES 1–7) are an ARIA radiogroup with a roving tabindex: Tab
//   reaches the group once; arrow keys (and Home, End) move and choose; Space chooses; Enter
//   sends the focused score; the Send button sends the chosen one. The end labels ("Not at all
//   likely") are also the accessible names of the first and last radio.
// - "Helpful" is two buttons, Yes and No, each sending at once; open text is a textarea.
// - On opening, focus moves to the first control, unless the visitor is typing in a field of the
//   page (a survey appearing must not take the keyboard away). Escape anywhere in the widget, or
//   the close button, closes it; focus then returns to the element that had it before, if focus
//   was in the widget.
// - A visible focus ring on every control (style.js); the thank-you note is role="status".
//
// open(survey, texts, locale, send, closed): `send(kind, fields)` records an impression (done by
// the caller), "answer", "comment" or "dismiss" and resolves to the response's id; `closed()`
// runs once the widget is gone.
import { CSS, HOST } from './style.js';

const D = document;

const h = (tag, attributes, ...children) => {
  const el = D.createElement(tag);
  for (const name in attributes) el.setAttribute(name, attributes[name]);
  el.append(...children);
  return el;
};

const button = (text, attributes) => h('button', Object.assign({ type: 'button' }, attributes), text);

// Handlers that never throw into the page. (A block body: an on… handler returning false would
// cancel the event.)
const safe = (f) => (e) => {
  try {
    f(e);
  } catch (error) {}
};

export const open = (survey, texts, locale, send, closed) => {
  const before = D.activeElement;
  const typing = before && (before.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(before.tagName));
  const host = h('footfall-survey');
  host.style.cssText = HOST;
  const root = host.attachShadow({ mode: 'open' });
  try {
    // A constructed style sheet is not an inline style to the page's CSP: it works under
    // style-src 'self'. Safari before 16.4 cannot construct one: a <style> element there.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    root.append(h('style', {}, CSS));
  }
  const box = h('div', { class: 'b', role: 'dialog', 'aria-labelledby': 'q', lang: locale, tabindex: '-1' });
  const close = button('×', { class: 'x', 'aria-label': texts.dismiss });
  let answer; // the answer's request: resolves to its id
  let timer;
  let grab = !typing; // the first step takes focus unless the visitor is typing

  const done = safe(() => {
    clearTimeout(timer);
    const inside = root.activeElement;
    host.remove();
    if (inside && before && before.focus) before.focus({ preventScroll: true });
    answer || send('dismiss');
    closed();
  });

  // One step of the dialog: the question (or note) and its controls; focus goes to `first`
  // when it is in the widget already (or on opening, unless the visitor is typing).
  const step = (question, first, ...controls) => {
    const into = root.activeElement || grab;
    grab = 0;
    box.replaceChildren(h('p', { id: 'q' }, question), ...controls, close);
    if (into) first.focus({ preventScroll: true });
  };

  const thanks = () => {
    step(texts.thanks, box);
    box.firstChild.setAttribute('role', 'status');
    timer = setTimeout(done, 4e3);
  };

  // A textarea and its Send button; `then(text)` runs on Send.
  const write = (question, then) => {
    const area = h('textarea', { 'aria-labelledby': 'q', maxlength: '2000', placeholder: texts.placeholder });
    const go = button(texts.submit, { class: 'go' });
    go.onclick = safe(() => then(area.value.trim()));
    step(question, area, area, go);
  };

  const answered = (score, comment) => {
    answer = send('answer', { score, comment });
    survey.follow_up && score != null
      ? write(texts.follow_up, (text) => {
          text && answer.then((id) => id && send('comment', { comment: text, answer: id }));
          thanks();
        })
      : thanks();
  };

  close.onclick = done;
  box.onkeydown = safe((e) => e.key == 'Escape' && done());
  root.append(box);
  D.body.append(host);

  const scale = survey.scale;
  if (survey.kind == 'helpful') {
    const yes = button(texts.yes);
    const no = button(texts.no);
    yes.onclick = safe(() => answered(1));
    no.onclick = safe(() => answered(0));
    step(texts.question, yes, h('div', { class: 's' }, yes, no));
  } else if (scale) {
    const [low, high] = scale;
    const radios = [];
    for (let n = low; n <= high; n++) radios.push(button('' + n, { role: 'radio', 'aria-checked': 'false', tabindex: -1 }));
    const last = radios.length - 1;
    radios[0].tabIndex = 0;
    radios[0].setAttribute('aria-label', `${low} ${texts.low}`);
    radios[last].setAttribute('aria-label', `${high} ${texts.high}`);
    const go = button(texts.submit, { class: 'go', disabled: '' });
    let chosen;
    const choose = (i, focus) => {
      radios.map((radio, j) => {
        radio.setAttribute('aria-checked', i == j);
        radio.tabIndex = i == j ? 0 : -1;
      });
      chosen = low + i;
      go.disabled = false;
      focus && radios[i].focus();
    };
    const group = h('div', { class: 's', role: 'radiogroup', 'aria-labelledby': 'q' }, ...radios);
    radios.map((radio, i) => (radio.onclick = safe(() => choose(i))));
    group.onkeydown = safe((e) => {
      const i = radios.indexOf(root.activeElement);
      const key = e.key;
      const to = /Right|Down/.test(key) ? (i + 1) % (last + 1) : /Left|Up/.test(key) ? (i || last + 1) - 1 : key == 'Home' ? 0 : key == 'End' ? last : -1;
      if (to >= 0 || key == 'Enter') e.preventDefault();
      if (to >= 0) choose(to, 1);
      if (key == 'Enter' && i >= 0) {
        choose(i);
        answered(chosen);
      }
    });
    go.onclick = safe(() => answered(chosen));
    step(texts.question, radios[0], group, h('div', { class: 'l', 'aria-hidden': 'true' }, h('span', {}, texts.low), h('span', {}, texts.high)), go);
  } else {
    write(texts.question, (text) => text && answered(undefined, text));
  }
};
