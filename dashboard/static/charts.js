// Draws every Plotly figure on the page. Each figure's JSON sits in a
// <script type="application/json" data-figure> block (data, not code: the CSP forbids inline
// scripts) right after the element it is drawn into. See dashboard/figures.py.
(function () {
  'use strict';
  function draw(block) {
    var target = block.previousElementSibling;
    if (!target || !window.Plotly) return;
    var figure = JSON.parse(block.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout, figure.config);
    target.dispatchEvent(new CustomEvent('footfall:figure', { bubbles: true, detail: figure }));
  }
  function drawAll() {
    document.querySelectorAll('script[type="application/json"][data-figure]').forEach(draw);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
