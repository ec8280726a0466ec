// Slipway console: progressive enhancement only. Every page works without this file; with it, a
// running build's log follows live (Server-Sent Events relayed by the console).
(function () {
  "use strict";

  function follow(log) {
    if (!window.EventSource || log.dataset.following) {
      return;
    }
    log.dataset.following = "yes";
    var state = document.getElementById("log-state");
    var url = log.dataset.follow + "?after=" + encodeURIComponent(log.dataset.after || "0");
    var source = new EventSource(url);
    var lines = 0;
    source.addEventListener("log", function (event) {
      var atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.appendChild(document.createTextNode(event.data + "\n"));
      lines++;
      log.dataset.live = String(lines);
      if (atEnd) {
        log.scrollTop = log.scrollHeight;
      }
    });
    source.addEventListener("outcome", function (event) {
      source.close();
      var outcome = {};
      try {
        outcome = JSON.parse(event.data);
      } catch (e) {
        outcome = {};
      }
      var status = document.getElementById("build-status");
      if (status && outcome.status) {
        status.textContent = String(outcome.status).toLowerCase().replace(/_/g, " ");
        status.className = "status " + (outcome.status === "SUCCEEDED" ? "ok" : "bad");
      }
      if (state) {
        state.textContent = "The build ended: " + String(outcome.status || "").toLowerCase().replace(/_/g, " ") + ". ";
        var reload = document.createElement("a");
        reload.href = window.location.pathname;
        reload.textContent = "Reload for its steps and timings";
        state.appendChild(reload);
      }
      log.dataset.ended = outcome.status || "ended";
    });
    source.addEventListener("problem", function (event) {
      source.close();
      if (state) {
        state.textContent = "The log cannot be followed: " + event.data;
      }
    });
  }

  function enhance(root) {
    var logs = (root || document).querySelectorAll("pre[data-follow]");
    for (var i = 0; i < logs.length; i++) {
      follow(logs[i]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
