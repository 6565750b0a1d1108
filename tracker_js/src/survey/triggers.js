// When a survey shows: arm(survey, start, fire) starts watching for its trigger and returns the
// function that stops watching (a new page view, or another survey shown first).
//
//   delay    N seconds after the page view began (`start`; the navigation for the first page
//            view, so the time the widget took to arrive counts)
//   scroll   once the bottom of the viewport has been at N % of the document's height or
//            further — checked at once too, so a short page shows it straight away
//   exit     the pointer leaves the window through its top edge (towards the tabs and the
//            address bar), on desktops only (by viewport width): touch screens have no pointer
//            to leave with
//   event    nothing to watch here: index.js fires it when the page sends the custom event
import { device } from './rules.js';

const watch = (target, type, f) => {
  target.addEventListener(type, f, { passive: true });
  return () => target.removeEventListener(type, f);
};

export const arm = (survey, start, fire) => {
  const { type, value } = survey.trigger;
  if (type == 'delay') {
    const timer = setTimeout(fire, value * 1e3 - (Date.now() - start));
    return () => clearTimeout(timer);
  }
  if (type == 'scroll') {
    // As time-on-page's depth (engagement.js): rounded % of the document's height.
    const reached = () =>
      Math.round(((scrollY + innerHeight) * 100) / document.documentElement.scrollHeight) >= value && fire();
    setTimeout(reached); // after arm() has returned, like every other trigger
    return watch(window, 'scroll', reached);
  }
  // mouseout with no element to go to: the pointer left the document; near the top edge, it
  // went towards the browser's tabs or address bar.
  if (type == 'exit' && device() == 'desktop')
    return watch(document, 'mouseout', (e) => e.relatedTarget || e.clientY > 9 || fire());
  return () => {};
};
