// A report download that says it is being made (pages/monitoring.html).
//
// Without JavaScript the link is a plain download. With it, a click on a link with
// data-report-download fetches the report, puts the link's data-progress text in the status
// region named by data-status (role="status", aria-live="polite") while the server makes it,
// and then saves the file under the name the server gives and says data-done. When the server
// answers with an error page (403, 503 ...) the browser opens the link as usual, so that page
// shows. The texts are in the template, not here. No inline script or style: the CSP forbids
// them.
(function () {
  "use strict";

  function fileName(response, href) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : href.split("/").pop().split("?")[0];
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    anchor.hidden = true;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function start(link, status) {
    var href = link.href;
    link.setAttribute("aria-disabled", "true");
    status.textContent = link.getAttribute("data-progress") || "";
    fetch(href, { credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("text/html") === 0) {
          window.location.assign(href);
          return null;
        }
        return response.blob().then(function (blob) {
          save(blob, fileName(response, href));
          status.textContent = link.getAttribute("data-done") || "";
        });
      })
      .catch(function () { window.location.assign(href); })
      .then(function () { link.removeAttribute("aria-disabled"); });
  }

  function enhance() {
    var links = document.querySelectorAll("a[data-report-download]");
    Array.prototype.forEach.call(links, function (link) {
      var status = document.getElementById(link.getAttribute("data-status") || "");
      if (!status || !window.fetch || !window.URL || !URL.createObjectURL) {
        return;
      }
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
          return; // a new tab or window: the browser's own download
        }
        event.preventDefault();
        if (link.getAttribute("aria-disabled") === "true") {
          return; // already being made
        }
        start(link, status);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
