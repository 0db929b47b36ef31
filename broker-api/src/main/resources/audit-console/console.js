// The audit console: plain DOM (textContent only, never innerHTML), the token in sessionStorage, sent as a
// bearer header to this broker's audit API. No third-party code, no inline script (the page's CSP forbids it).
(function () {
  'use strict';
  var KEY = 'audit-token';
  function $(id) { return document.getElementById(id); }
  function status(text, error) { var s = $('status'); s.textContent = text; s.className = error ? 'error' : ''; }
  function token() { return sessionStorage.getItem(KEY) || ''; }

  function api(path) {
    return fetch(path, { headers: { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' },
                         credentials: 'omit', cache: 'no-store' })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw new Error((body && (body.detail || body.title)) || ('HTTP ' + response.status)); }
          return body;
        });
      });
  }

  function row(table, cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (value) {
      var td = document.createElement('td');
      td.textContent = value === undefined || value === null ? '' : String(value);
      tr.appendChild(td);
    });
    $(table).querySelector('tbody').appendChild(tr);
  }
  function clear(table) { $(table).querySelector('tbody').textContent = ''; }

  function details(e) {
    var parts = [];
    if (e.clientId) { parts.push('to ' + e.clientId + ' (token v' + e.tokenVersion + ')'); }
    if (e.type === 'linked' || e.type === 'refreshed') { parts.push('token v' + e.tokenVersion + ', expires ' + (e.accessTokenExpiresAt || 'never')); }
    if (e.upstreamSubject) { parts.push('account ' + e.upstreamSubject); }
    if (e.failure) { parts.push(e.failure.kind + ' ' + (e.failure.code || '') + ' ' + (e.failure.description || '')); }
    if (e.reason) { parts.push(e.reason); }
    if (e.revocation) { parts.push('upstream ' + e.revocation.outcome); }
    if (e.erasure) { parts.push(e.erasure.dataKeysDestroyed + ' data key(s) destroyed'); }
    if (e.cause) { parts.push(e.cause); }
    return parts.join('; ');
  }

  function search() {
    var user = $('user').value.trim();
    if (!user) { status('Enter a user id', true); return; }
    status('Loading ' + user + ' …');
    api('/v1/audit/users/' + encodeURIComponent(user) + '/export').then(function (doc) {
      clear('connections'); clear('timeline');
      var events = [];
      doc.connections.forEach(function (c) {
        var perClient = {};
        c.events.forEach(function (e) {
          events.push(e);
          if (e.clientId) { perClient[e.clientId] = (perClient[e.clientId] || 0) + 1; }
        });
        row('connections', [c.connectorId, c.state ? c.state.status : '', c.state ? c.state.linkedAt : '',
          c.state ? c.state.tokenVersion : '',
          Object.keys(perClient).sort().map(function (k) { return k + ': ' + perClient[k]; }).join(', ')]);
      });
      events.sort(function (a, b) { return a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0; });
      events.forEach(function (e) {
        row('timeline', [e.occurredAt, e.connectorId, e.type, e.status, e.actor ? e.actor.type + ' ' + e.actor.id : '', details(e)]);
      });
      status(doc.connections.length + ' connection(s), ' + events.length + ' event(s) for ' + user);
    }).catch(function (error) { status(error.message, true); });
  }

  function state() {
    var user = $('user').value.trim();
    var connector = $('state-connector').value.trim();
    var at = $('state-at').value.trim() || new Date().toISOString();
    api('/v1/audit/users/' + encodeURIComponent(user) + '/connections/' + encodeURIComponent(connector)
        + '?at=' + encodeURIComponent(at)).then(function (s) {
      clear('state-table');
      Object.keys(s).forEach(function (k) {
        var v = s[k];
        row('state-table', [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : v]);
      });
      status('State of ' + connector + ' at ' + at);
    }).catch(function (error) { clear('state-table'); status(error.message, true); });
  }

  function download() {
    var user = $('user').value.trim();
    api('/v1/audit/users/' + encodeURIComponent(user) + '/export').then(function (doc) {
      var blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'subject-access-' + user.replace(/[^A-Za-z0-9._-]/g, '_') + '.json';
      document.body.appendChild(a); a.click(); a.remove();
      status('Export downloaded');
    }).catch(function (error) { status(error.message, true); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('token').value = token();
    $('save-token').addEventListener('click', function () { sessionStorage.setItem(KEY, $('token').value.trim()); status('Token kept for this tab'); });
    $('forget-token').addEventListener('click', function () { sessionStorage.removeItem(KEY); $('token').value = ''; status('Token forgotten'); });
    $('search').addEventListener('click', search);
    $('state').addEventListener('click', state);
    $('download').addEventListener('click', download);
  });
})();
