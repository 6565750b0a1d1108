// Behaviour of the demo page, kept out of the HTML so the page works under a strict CSP.
document.getElementById("spa-nav").addEventListener("click", function () {
  history.pushState({}, "", "/demo?page=spa-" + Date.now() % 1000);
  document.title = "Footfall demo (SPA view)";
});
document.getElementById("signup").addEventListener("click", function () {
  if (window.footfall) window.footfall("event", "Signup", { plan: "demo" });
});
