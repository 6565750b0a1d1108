// The queue stub from docs/tracker.md, then a call made before the tracker has loaded.
window.footfall = window.footfall || function () { (window.footfall.q = window.footfall.q || []).push(arguments); };
window.footfall("event", "Queued", { when: "before load" });
