// Helpers shared by the modules of t.js. Globals used more than once are aliased here, so the
// minifier can shorten them to one letter each (it never renames globals it does not own).
// Math is not: used twice, in engagement.js, its alias cost 4 bytes more than it saved.

export const W = window;
export const D = document;
export const L = location;
export const N = navigator;

// f wrapped so that nothing it throws escapes: for listeners, timers, delivery and the API.
export const safe =
  (f) =>
  (...args) => {
    try {
      return f(...args);
    } catch (e) {
      // Never throw into the host page.
    }
  };

// A listener in the capture phase (it runs even when the page stops the event's propagation),
// wrapped by safe().
export const on = (target, type, f) => target.addEventListener(type, safe(f), true);
