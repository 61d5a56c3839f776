// Dashboard sign-in: the capability travels in the URL fragment (never sent to
// any server, so it stays out of logs and Referer); post it to the hub, which
// answers with an HttpOnly session cookie, then open the dashboard.
"use strict";

(function () {
  const out = document.getElementById("session-status");
  const token = location.hash.replace(/^#/, "");
  // Drop the capability from the address bar and history at once.
  history.replaceState(null, "", location.pathname);
  const say = (text) => { if (out) out.textContent = text; };
  if (!token) {
    say("This link carries no sign-in. Make one with `muse hub dashboard-link OWNER/SLUG`.");
    return;
  }
  fetch(location.pathname, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ capability: token }),
  }).then((r) => {
    if (r.ok) {
      location.replace(location.pathname.replace(/\/session$/, ""));
      return null;
    }
    return r.json().catch(() => ({})).then((j) => say(j.message || ("sign-in refused (HTTP " + r.status + ")")));
  }).catch(() => say("the hub cannot be reached"));
})();
