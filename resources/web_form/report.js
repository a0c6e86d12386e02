"use strict";
// Reports a form page's state to the server that served it (app/sandbox/web_form.py) on
// every input, change and focus event, and polls /control for a reset request.
//   const report = startReporting(collect, clear);
// collect() returns the page's state ({fields, focused, active, status, ...}); clear()
// empties the form when the server asks. The returned report() sends the state now
// (for changes no event announces, such as a status text).
function startReporting(collect, clear) {
  const pageId = Date.now().toString(36) + Math.random().toString(36).slice(2);
  let pageSeq = 0, inflight = false, dirty = false, generation = null;

  function send() {
    dirty = false;
    inflight = true;
    const body = {...collect(), generation, page: pageId, page_seq: ++pageSeq};
    fetch("/report", {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify(body), cache: "no-store"})
      .catch(() => {})
      .finally(() => { inflight = false; if (dirty) send(); });
  }

  function report() {          // coalesce: one request in flight, the latest state follows it
    dirty = true;
    if (!inflight) send();
  }
  const reportSoon = () => setTimeout(report, 0);   // after focus has settled

  for (const ev of ["input", "change"]) document.addEventListener(ev, report, true);
  for (const ev of ["focusin", "focusout"]) document.addEventListener(ev, reportSoon, true);
  window.addEventListener("focus", reportSoon);
  window.addEventListener("blur", reportSoon);

  async function poll() {
    try {
      const r = await fetch("/control", {cache: "no-store"});
      const c = await r.json();
      if (generation === null) {
        generation = c.generation;
        report();
      } else if (c.generation !== generation) {
        clear();
        generation = c.generation;
        report();
      }
    } catch (e) { /* server gone or busy: try again */ }
    setTimeout(poll, 100);
  }

  report();
  poll();
  return report;
}
