// Pathways' progressive enhancement: every page works without this file. It starts the design
// system's components and keeps a live list (the task inbox) up to date: when the server tells
// of a change on the element's `data-live` stream (events named in `data-events`), the list is fetched again from `data-list`
// (server-rendered, as at a reload) and screen readers are told.
(function () {
  'use strict';

  function liveList(element) {
    var source = new EventSource(element.getAttribute('data-live'));
    var news = document.getElementById('task-news');
    var refresh = function () {
      fetch(element.getAttribute('data-list'), { credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          element.innerHTML = html;
          if (news) news.textContent = news.getAttribute('data-text');
        });
    };
    // The stream names each event by its type; `data-events` lists those that matter here.
    (element.getAttribute('data-events') || 'message').split(' ').forEach(function (type) {
      source.addEventListener(type, refresh);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (window.DKFDS && typeof window.DKFDS.init === 'function') window.DKFDS.init();
    document.querySelectorAll('[data-live]').forEach(liveList);
  });
})();
