// A CSS selector that finds the clicked element again, on any screen width, for heatmaps.
// Built from the element upwards, one step per ancestor, and stopped as soon as it matches
// exactly one element in the document. Each step is, in this order of preference:
//   [id="…"]                 unless the id looks generated (two digits, a colon, > 40 chars)
//   [data-testid="…"]        or data-test…, data-cy…, data-qa… (same test on the value)
//   tag:nth-of-type(n)       the position among the siblings with the same tag
// The attribute is tried first (with the path below it) and used only when that is unique;
// otherwise the position is used and the walk goes on up. Long paths stop growing at 150
// characters, under the collector's 200 (the selector then matches from the deepest steps).
// document, not util.js's alias: only t-clicks.js uses this module, and it imports nothing else.

export const selector = (el) => {
  let path = '';
  let part;
  for (; el.parentNode && path.length < 150; el = el.parentNode) {
    const a = [...el.attributes].find((a) => /^(id|data-(test|cy|qa).*)$/.test(a.name) && !/\d.*\d|:|.{41}/.test(a.value));
    let n = 1;
    for (let s = el; (s = s.previousElementSibling); ) n += s.localName == el.localName;
    for (part of [a && `[${a.name}="${CSS.escape(a.value)}"]`, `${el.localName}:nth-of-type(${n})`])
      if (part && !document.querySelectorAll(part + path)[1]) return part + path;
    path = '>' + part + path;
  }
  return path.slice(1);
};
