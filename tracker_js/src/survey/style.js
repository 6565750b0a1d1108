// The widget's look. The host element's own style is inline and !important (an inline
// !important declaration beats every rule of the page's style sheets, even !important ones), and
// starts with `all: initial`, so nothing of the page is inherited into the shadow root: a page's
// `* { color: red !important; font-size: 40px !important; display: none }` changes nothing. The
// page's selectors never reach inside the shadow root; these rules never reach out of it.
// Sizes in px, never rem (the page's root font size must not matter). Colours: text 12:1 and
// the blue 6.7:1 against white; a 3 px focus ring on every control (:focus-visible).
export const HOST =
  'all:initial!important;display:block!important;position:fixed!important;z-index:2147483647!important;' +
  'right:12px!important;bottom:12px!important;width:min(360px,calc(100vw - 24px))!important';

export const CSS = `*{box-sizing:border-box;margin:0;font:inherit;color:inherit}
.b{position:relative;max-height:calc(100vh - 24px);overflow:auto;padding:14px;border:1px solid #d1d5db;border-radius:12px;background:#fff;color:#1f2937;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;box-shadow:0 8px 30px rgba(0,0,0,.2)}
#q{margin-right:28px;font-weight:600}
.s{display:flex;gap:3px;margin-top:12px}
.s button{flex:1 1 0;min-width:0;height:40px;padding:0;border:1px solid #9ca3af;border-radius:6px;background:#fff;cursor:pointer}
.s [aria-checked=true]{border-color:#1d4ed8;background:#1d4ed8;color:#fff}
.l{display:flex;justify-content:space-between;gap:8px;margin-top:4px;color:#4b5563;font-size:12px}
textarea{display:block;width:100%;min-height:80px;margin-top:12px;padding:8px;border:1px solid #9ca3af;border-radius:6px;resize:vertical}
.go{display:block;margin:12px 0 0 auto;padding:8px 18px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer}
.go:disabled{opacity:.45;cursor:default}
.x{position:absolute;top:8px;right:8px;width:32px;height:32px;border:0;border-radius:6px;background:none;color:#4b5563;font-size:22px;line-height:1;cursor:pointer}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}`;
