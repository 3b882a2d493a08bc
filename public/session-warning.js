/* global document, fetch, setTimeout, clearTimeout */
// SES-02: a visible warning before the session ends for inactivity (progressive enhancement: without this script,
// the page still says when the session ends). The server gives the seconds left when the page was sent; counting
// from the page load avoids trusting the device clock. Two minutes before the end, a polite live region says so and
// offers « Rester connecté », which posts to /espace/session/prolonger (a request is activity: the session is touched).
(function () {
  'use strict';
  var WARN_BEFORE_MS = 2 * 60 * 1000;
  var bar = document.getElementById('session-expiry');
  if (!bar) return;
  var region = bar.querySelector('.session-warning');
  var endText = bar.querySelector('.session-end-time');
  var csrf = bar.getAttribute('data-csrf') || '';
  var seconds = Number(bar.getAttribute('data-seconds-left'));
  if (!region || !isFinite(seconds)) return;
  var timer = null;

  function schedule(secondsLeft) {
    if (timer) clearTimeout(timer);
    var deadline = Date.now() + secondsLeft * 1000;
    bar.setAttribute('data-deadline', String(deadline));
    timer = setTimeout(warn, Math.max(0, secondsLeft * 1000 - WARN_BEFORE_MS));
    scheduleEnd(deadline);
  }

  var endTimer = null;
  function scheduleEnd(deadline) {
    if (endTimer) clearTimeout(endTimer);
    endTimer = setTimeout(ended, Math.max(0, deadline - Date.now()));
  }

  function clear() {
    while (region.firstChild) region.removeChild(region.firstChild);
    region.classList.remove('is-visible');
  }

  function warn() {
    clear();
    var text = document.createElement('p');
    text.textContent = 'Votre session va expirer dans 2 minutes sans activité.';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button';
    button.textContent = 'Rester connecté';
    button.addEventListener('click', stay);
    region.appendChild(text);
    region.appendChild(button);
    region.classList.add('is-visible');
  }

  function ended() {
    clear();
    var text = document.createElement('p');
    text.appendChild(document.createTextNode('Votre session a pris fin. '));
    var link = document.createElement('a');
    link.href = '/connexion?motif=session';
    link.textContent = 'Se reconnecter';
    text.appendChild(link);
    region.appendChild(text);
    region.classList.add('is-visible');
  }

  function stay() {
    fetch('/espace/session/prolonger', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } })
      .then(function (response) {
        if (!response.ok) throw new Error('ended');
        return response.json();
      })
      .then(function (body) {
        if (!body || body.ended) throw new Error('ended');
        if (endText && body.endsAt) endText.textContent = body.endsAt;
        clear();
        var text = document.createElement('p');
        text.textContent = 'Votre session est prolongée.';
        region.appendChild(text);
        region.classList.add('is-visible');
        schedule(Number(body.secondsLeft));
      })
      .catch(ended);
  }

  schedule(seconds);
})();
