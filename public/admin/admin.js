/*
 * The survey team's dashboard. Asks for the ADMIN_TOKEN once and keeps it in sessionStorage (this tab only),
 * then calls the /admin API with `Authorization: Bearer <token>`: the responses (sortable, filterable), totals,
 * downloads (fetched with the token, saved from a blob), link checks, the import of a previous round and invitations. Texts: /admin/i18n.json (English and
 * Spanish, from locales/<lng>/admin.json). No inline script: the page's Content-Security-Policy is script-src 'self'.
 */
(function () {
  'use strict';

  var KEYS = { token: 'msq.admin.token', lang: 'msq.admin.lang' };
  var texts = null;
  var lang = 'en';
  var responses = [];
  var invitations = [];
  var sort = { key: 'country', dir: 1 };
  var loadedAt = null;
  /** The last link check: { country, report } (report null while checking, false when it failed). */
  var linkCheck = null;
  /** The last import: { summary } or { error }. */
  var imported = null;
  /** The deadline and reminder days as saved, and the last message about them. */
  var settings = null;
  var settingsMessage = '';
  /** The response being asked back about: { id, country, flags (null while loading), message }. */
  var reviewing = null;

  var $ = function (id) { return document.getElementById(id); };

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }
  function getToken() { var s = storage('sessionStorage'); return s ? s.getItem(KEYS.token) : null; }
  function setToken(value) {
    var s = storage('sessionStorage');
    if (!s) return;
    if (value) s.setItem(KEYS.token, value); else s.removeItem(KEYS.token);
  }

  function t(key, params) {
    var dict = (texts && texts[lang]) || {};
    var text = dict[key] || (texts && texts.en && texts.en[key]) || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) { return params && params[name] !== undefined ? String(params[name]) : ''; });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function notice(text) {
    var box = $('notice');
    box.textContent = text || '';
    box.hidden = !text;
  }

  /** A call to the API with the token; a 401 signs out. */
  function api(path, options) {
    var init = options || {};
    var headers = Object.assign({ Authorization: 'Bearer ' + getToken() }, init.headers || {});
    return fetch(path, Object.assign({}, init, { headers: headers, credentials: 'same-origin', cache: 'no-store' })).then(function (response) {
      if (response.status === 401) {
        setToken(null);
        showSignIn(t('tokenRejected'));
        throw new Error('unauthorized');
      }
      return response;
    });
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = t('documentTitle');
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    var buttons = document.querySelectorAll('[data-lang]');
    for (var j = 0; j < buttons.length; j++) buttons[j].setAttribute('aria-pressed', String(buttons[j].getAttribute('data-lang') === lang));
    renderUpdated();
    renderResponses();
    renderInvitations();
    renderLinkReport();
    renderReview();
    renderImport();
    renderSettings();
  }

  function renderUpdated() {
    $('updated').textContent = loadedAt ? t('updatedAt', { time: loadedAt.toLocaleTimeString(lang) }) : '';
  }

  function setLanguage(next) {
    if (next !== 'en' && next !== 'es') return;
    lang = next;
    var local = storage('localStorage');
    if (local) local.setItem(KEYS.lang, lang);
    applyTexts();
  }

  function showSignIn(message) {
    $('dashboard').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    notice(message || '');
    $('token').value = '';
    $('token').focus();
  }

  function showDashboard() {
    $('sign-in').hidden = true;
    $('dashboard').hidden = false;
    $('sign-out').hidden = false;
  }

  /** Loads responses and invitations. */
  function load() {
    notice(t('loading'));
    return Promise.all([
      api('/admin/responses').then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }),
      api('/admin/invitations').then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }),
      api('/admin/settings').then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }),
    ])
      .then(function (data) {
        responses = data[0];
        invitations = data[1];
        settings = data[2];
        fillSettings();
        showDashboard();
        notice('');
        loadedAt = new Date();
        renderUpdated();
        renderResponses();
        renderInvitations();
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        notice(t('loadFailed'));
      });
  }

  // ---- Responses -------------------------------------------------------------------------------------------

  var percent = function (r) { return r.total ? Math.round((100 * r.answered) / r.total) : 0; };
  var countryLabel = function (r) { return r.country ? r.country.name : ''; };
  /** A team's participants ([] for one respondent's own response). */
  var teamOf = function (r) { return r.team && r.participants ? r.participants : []; };
  /** The respondent's name as answered; for a team without it, its lead (else its first participant). */
  var respondentLabel = function (r) {
    var name = r.respondent && r.respondent.name;
    if (name) return name;
    var team = teamOf(r);
    var lead = team.filter(function (p) { return p.lead; })[0] || team[0];
    return lead ? lead.label : '';
  };
  /** A team's participants, one per line: name or e-mail, the lead marked, their sections, whether their access was withdrawn. */
  function participantList(r) {
    var team = teamOf(r);
    if (team.length === 0) return null;
    return el('ul', { class: 'participants', 'aria-label': t('participants', { count: team.length }) }, team.map(function (p) {
      var parts = [p.label];
      if (p.lead) parts.push(t('participantLead'));
      if (p.sections.length) parts.push(t('participantSections', { sections: p.sections.join(', ') }));
      if (p.revokedAt) parts.push(t('participantWithdrawn', { date: new Date(p.revokedAt).toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'long' }) }));
      var classes = ['participant'].concat(p.lead ? ['participant-lead'] : [], p.revokedAt ? ['participant-withdrawn'] : []);
      return el('li', { class: classes.join(' '), text: parts.join(' — ') });
    }));
  }

  var SORTS = {
    country: function (r) { return countryLabel(r).toLowerCase(); },
    respondent: function (r) { return respondentLabel(r).toLowerCase(); },
    status: function (r) { return r.status; },
    complete: percent,
    unanswered: function (r) { return r.unansweredRequired.length; },
    updated: function (r) { return r.updatedAt; },
  };

  function visibleResponses() {
    var query = $('filter-text').value.trim().toLowerCase();
    var status = $('filter-status').value;
    var key = SORTS[sort.key];
    return responses
      .filter(function (r) {
        if (status && r.status !== status) return false;
        if (!query) return true;
        var haystack = [r.country && r.country.name, r.country && r.country.code, r.respondent.name, r.respondent.organization, r.respondent.email, r.respondent.title]
          .concat(teamOf(r).map(function (p) { return p.label; }))
          .filter(Boolean).join(' ').toLowerCase();
        return haystack.indexOf(query) !== -1;
      })
      .sort(function (a, b) {
        var x = key(a);
        var y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || (a.id < b.id ? -1 : 1);
      });
  }

  /** A question as the questionnaire names it ("17 — Legislation on digital signature"); its id if unknown. */
  function questionLabel(id) {
    var label = t('item.' + id);
    return label === 'item.' + id ? id : label;
  }

  function renderResponses() {
    if (!texts) return;
    var body = document.querySelector('#responses tbody');
    body.textContent = '';
    var rows = visibleResponses();
    rows.forEach(function (r) {
      var missing = r.unansweredRequired;
      var missingText = missing.length === 0 ? t('none') : missing.length + ': ' + missing.slice(0, 5).map(questionLabel).join('; ') + (missing.length > 5 ? ' ' + t('moreItems', { count: missing.length - 5 }) : '');
      var who = respondentLabel(r);
      var org = r.respondent.organization;
      var docs = el('td', { class: 'documents' });
      ['en', 'es'].forEach(function (l) {
        var line = el('span', { class: 'document-line' });
        docs.appendChild(line);
        ['pdf', 'md'].forEach(function (format) {
          var label = t('documentLink', { format: format === 'pdf' ? 'PDF' : 'Markdown', lang: l.toUpperCase() });
          var button = el('button', {
            type: 'button',
            class: 'link-button',
            'data-download': '/admin/responses/' + encodeURIComponent(r.id) + '?format=' + format + '&lang=' + l,
            'aria-label': t('documentLinkLabel', { country: countryLabel(r) || t('noCountry'), format: format === 'pdf' ? 'PDF' : 'Markdown', language: t(l === 'en' ? 'languageEn' : 'languageEs') }),
            text: label,
          });
          line.appendChild(button);
        });
      });
      var meter = el('progress', { max: '100', value: String(percent(r)), 'aria-hidden': 'true' });
      var linkCount = Object.keys(r.links || {}).reduce(function (n, id) { return n + r.links[id].length; }, 0);
      var links = el('td', {}, [
        linkCount === 0
          ? el('span', { class: 'sub', text: t('links.noLinks') })
          : el('button', { type: 'button', class: 'link-button', 'data-check-links': r.id, 'data-country': countryLabel(r) || t('noCountry'), 'aria-label': t('links.checkLabel', { country: countryLabel(r) || t('noCountry') }), text: t('links.check', { count: linkCount }) }),
      ]);
      var review = r.review || { open: 0, resolved: 0 };
      var asked = el('td', {}, [
        el('span', { class: review.open ? 'badge badge-in_progress' : 'sub', text: review.open + review.resolved ? t('review.counts', review) : t('review.none') }),
        r.status === 'submitted'
          ? el('button', { type: 'button', class: 'link-button', 'data-review': r.id, 'data-country': countryLabel(r) || t('noCountry'), 'aria-label': t('review.askLabel', { country: countryLabel(r) || t('noCountry') }), text: t('review.ask') })
          : null,
      ]);
      body.appendChild(
        el('tr', { 'data-id': r.id, 'data-status': r.status }, [
          el('th', { scope: 'row', text: r.country ? r.country.name + ' (' + r.country.code + ')' : t('noCountry') }),
          el('td', {}, [
            r.respondent.name || teamOf(r).length === 0 ? el('span', { text: who || t('noRespondent') }) : null,
            org ? el('span', { class: 'sub', text: org }) : null,
            participantList(r),
          ]),
          el('td', {}, [el('span', { class: 'badge badge-' + r.status, text: t('status.' + r.status) })]),
          el('td', { class: 'number' }, [el('span', { text: percent(r) + ' %' }), meter]),
          el('td', { class: 'missing', text: missingText }),
          el('td', {}, [el('time', { datetime: r.updatedAt, text: new Date(r.updatedAt).toLocaleString(lang) })]),
          docs,
          links,
          asked,
        ]),
      );
    });
    if (rows.length === 0) body.appendChild(el('tr', {}, [el('td', { colspan: '9', class: 'empty', text: t('noResponses') })]));
    $('shown').textContent = t('shown', { shown: rows.length, total: responses.length });
    var headers = document.querySelectorAll('#responses th[data-sort]');
    for (var i = 0; i < headers.length; i++) {
      var key = headers[i].getAttribute('data-sort');
      headers[i].setAttribute('aria-sort', key === sort.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    renderTotals();
  }

  function renderTotals() {
    var now = Date.now();
    var count = function (status) { return responses.filter(function (r) { return r.status === status; }).length; };
    $('total-submitted').textContent = String(count('submitted'));
    $('total-in-progress').textContent = String(count('in_progress'));
    $('total-invited').textContent = String(invitations.filter(function (i) { return i.state === 'active' && Date.parse(i.expiresAt) > now; }).length);
  }

  // ---- Downloads -------------------------------------------------------------------------------------------

  /** Fetches a file with the token and saves it under the name the server gives. */
  function download(path) {
    return api(path)
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        var header = response.headers.get('Content-Disposition') || '';
        var match = /filename="([^"]+)"/.exec(header);
        return response.blob().then(function (blob) { return { blob: blob, name: match ? match[1] : 'msq-download' }; });
      })
      .then(function (file) {
        var url = URL.createObjectURL(file.blob);
        var a = el('a', { href: url, download: file.name });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      })
      .catch(function (error) {
        if (!error || error.message !== 'unauthorized') notice(t('downloadFailed'));
      });
  }

  // ---- Link checks -----------------------------------------------------------------------------------------

  /** Asks the server to check every link of a response, then shows the ones that do not answer. */
  function checkLinks(id, country, button) {
    linkCheck = { country: country, report: null };
    renderLinkReport();
    $('link-report').focus();
    button.disabled = true;
    api('/admin/responses/' + encodeURIComponent(id) + '/links/check', { method: 'POST' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (report) { linkCheck.report = report; })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        linkCheck.report = false;
      })
      .then(function () {
        button.disabled = false;
        renderLinkReport();
      });
  }

  function renderLinkReport() {
    if (!texts) return;
    var box = $('link-report');
    box.hidden = !linkCheck;
    if (!linkCheck) return;
    $('link-report-title').textContent = t('links.title', { country: linkCheck.country });
    var status = $('link-report-status');
    var table = $('link-table');
    var report = linkCheck.report;
    box.classList.toggle('report-error', report === false);
    table.hidden = true;
    if (report === null) { status.textContent = t('links.checking', { country: linkCheck.country }); return; }
    if (report === false) { status.textContent = t('links.failed'); return; }
    var c = report.counts;
    var failing = report.links.filter(function (l) { return l.result !== 'live'; });
    status.textContent = t('links.summary', { total: report.links.length, live: c.live, dead: c.dead, blocked: c.blocked, malformed: c.malformed, notChecked: c.notChecked }) +
      (failing.length === 0 ? ' ' + t('links.allLive') : '');
    var body = table.querySelector('tbody');
    body.textContent = '';
    failing.forEach(function (l) {
      var address = /^https?:\/\//i.test(l.url) ? el('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer', text: l.url }) : el('code', { text: l.url });
      var result = t('links.result.' + l.result) + (l.reason && l.result !== 'blocked' ? ' — ' + t('links.reason.' + l.reason, { status: l.status }) : '');
      body.appendChild(el('tr', { 'data-result': l.result }, [
        el('th', { scope: 'row', text: (l.number ? l.number + ' — ' : '') + l.itemId }),
        el('td', { class: 'link-url' }, [address]),
        el('td', {}, [el('span', { class: 'badge badge-' + l.result, text: result })]),
      ]));
    });
    table.hidden = failing.length === 0;
  }

  // ---- Deadline and reminders ------------------------------------------------------------------------------

  function fillSettings() {
    $('settings-deadline').value = settings && settings.deadline ? settings.deadline.slice(0, 10) : '';
    $('settings-days').value = settings ? settings.reminderDays.join(', ') : '';
    renderSettings();
  }

  function renderSettings() {
    if (!texts) return;
    var line = settingsMessage;
    if (!line && settings) {
      line = settings.deadline
        ? t('reminders.current', { deadline: new Date(settings.deadline).toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'long' }), days: settings.reminderDays.length ? settings.reminderDays.join(', ') : t('reminders.noDays') })
        : t('reminders.noDeadline');
    }
    $('settings-status').textContent = line;
  }

  function saveSettings(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var days = form.days.value.split(/[,;\s]+/).filter(Boolean).map(Number);
    var body = { deadline: form.deadline.value || null, reminderDays: days };
    api('/admin/settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.issues && data.issues.join('; ')) || data.error || 'HTTP ' + response.status);
          return data;
        });
      })
      .then(function (data) {
        settings = data;
        settingsMessage = '';
        fillSettings();
        settingsMessage = t('reminders.saved') + ' ' + $('settings-status').textContent;
        renderSettings();
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        settingsMessage = t('reminders.failed', { reason: error.message });
        renderSettings();
      });
  }

  function runReminders() {
    api('/admin/reminders/run', { method: 'POST' })
      .then(function (response) { if (!response.ok) throw new Error('HTTP ' + response.status); return response.json(); })
      .then(function (run) {
        settingsMessage = run.slot ? t('reminders.sent', { reminded: run.reminded, skipped: run.skipped }) : t('reminders.noneDue');
        renderSettings();
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        settingsMessage = t('reminders.failed', { reason: error.message });
        renderSettings();
      });
  }

  // ---- Asking back: flags on a submitted response ----------------------------------------------------------

  /** Opens the questions of a response: its flags, and the form to flag an item. */
  function openReview(id, country) {
    reviewing = { id: id, country: country, flags: null, message: '' };
    renderReview();
    $('review').focus();
    loadFlags();
  }

  function loadFlags() {
    var current = reviewing;
    return api('/admin/responses/' + encodeURIComponent(current.id) + '/flags')
      .then(function (response) { if (!response.ok) throw new Error('HTTP ' + response.status); return response.json(); })
      .then(function (data) { current.flags = data.flags; })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        current.flags = [];
        current.message = t('loadFailed');
      })
      .then(renderReview);
  }

  function flagItem(event) {
    event.preventDefault();
    if (!reviewing) return;
    var form = event.currentTarget;
    var current = reviewing;
    var body = { itemId: form.itemId.value.trim(), comment: form.comment.value.trim() };
    api('/admin/responses/' + encodeURIComponent(current.id) + '/flags', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.issues && data.issues.join('; ')) || data.error || 'HTTP ' + response.status);
          return data;
        });
      })
      .then(function (data) {
        current.message = t('review.flagged', { notified: data.notified });
        form.itemId.value = '';
        form.comment.value = '';
        return Promise.all([loadFlags(), load()]);
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        current.message = t('review.failed', { reason: error.message });
        renderReview();
      });
  }

  function renderReview() {
    if (!texts) return;
    var box = $('review');
    box.hidden = !reviewing;
    if (!reviewing) return;
    $('review-title').textContent = t('review.title', { country: reviewing.country });
    var table = $('review-table');
    var body = table.querySelector('tbody');
    body.textContent = '';
    var flags = reviewing.flags;
    $('review-status').textContent = reviewing.message || (flags === null ? t('review.loading') : flags.length === 0 ? t('review.noFlags') : '');
    (flags || []).forEach(function (f) {
      var open = f.status === 'open';
      var answer = f.answer === null ? t('review.notAnswered') : Array.isArray(f.answer) ? f.answer.join('; ') : f.answer;
      body.appendChild(el('tr', { 'data-flag': f.id, 'data-flag-status': f.status }, [
        el('th', { scope: 'row', text: f.itemId }),
        el('td', { text: f.comment }),
        el('td', {}, [el('span', { class: 'badge badge-' + (open ? 'in_progress' : 'submitted'), text: t(open ? 'review.open' : 'review.resolved', { date: new Date(open ? f.at : f.resolvedAt).toLocaleString(lang) }) })]),
        el('td', { text: answer }),
      ]));
    });
    table.hidden = !flags || flags.length === 0;
  }

  // ---- Import of a previous round --------------------------------------------------------------------------

  var IMPORT_FORMATS = { json: 'json', csv: 'csv', xlsx: 'xlsx' };

  function importRound(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var file = form.file.files[0];
    if (!file) return;
    var extension = (/\.([a-z]+)$/i.exec(file.name) || [])[1];
    var format = IMPORT_FORMATS[(extension || '').toLowerCase()];
    var query = '?lang=' + lang + (format ? '&format=' + format : '') + (form.edition.value.trim() ? '&edition=' + encodeURIComponent(form.edition.value.trim()) : '') + (form.dryRun.checked ? '&dryRun=true' : '');
    imported = null;
    renderImport();
    notice(t('import.checking'));
    api('/admin/imports' + query, { method: 'POST', headers: { 'Content-Type': file.type || 'application/octet-stream' }, body: file })
      .then(function (response) {
        return response.json().then(function (data) {
          imported = response.ok ? { summary: data.summary } : { error: data.error || 'HTTP ' + response.status };
        });
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        imported = { error: t('loadFailed') };
      })
      .then(function () {
        notice('');
        renderImport();
      });
  }

  function renderImport() {
    if (!texts) return;
    var box = $('import-result');
    box.hidden = !imported;
    if (!imported) return;
    var table = $('import-table');
    var body = table.querySelector('tbody');
    body.textContent = '';
    box.classList.toggle('report-error', Boolean(imported.error));
    if (imported.error) {
      $('import-outcome').textContent = t('import.failed', { reason: imported.error });
      $('import-line').textContent = '';
      $('import-skipped').textContent = '';
      table.hidden = true;
      return;
    }
    var s = imported.summary;
    var list = function (ids) { return ids.length ? ids.join(', ') : t('import.none'); };
    $('import-outcome').textContent = t(s.saved ? 'import.saved' : 'import.dryRun');
    $('import-line').textContent = t('import.summary', { countries: s.countries.length, responses: s.responses, fromEdition: s.fromEdition, edition: s.edition });
    s.countries.forEach(function (c) {
      body.appendChild(el('tr', { 'data-country': c.code }, [
        el('th', { scope: 'row', text: c.name + ' (' + c.code + ')' }),
        el('td', { class: 'number', text: String(c.carried) }),
        el('td', { class: 'number', text: String(c.shownOnly) }),
        el('td', { text: list(c.removed) }),
        el('td', { text: list(c.unknown) }),
        el('td', { class: 'number', text: String(c.otherResponses) }),
      ]));
    });
    table.hidden = s.countries.length === 0;
    $('import-skipped').textContent = s.skipped.length ? t('import.skipped', { rows: s.skipped.map(function (k) { return k.row; }).join(', ') }) : '';
  }

  // ---- Invitations -----------------------------------------------------------------------------------------

  function renderInvitations() {
    if (!texts) return;
    var body = document.querySelector('#invitations tbody');
    body.textContent = '';
    invitations
      .slice()
      .sort(function (a, b) { return a.createdAt < b.createdAt ? 1 : -1; })
      .forEach(function (i) {
        var actions = el('td');
        if (i.state === 'active' || i.state === 'used') {
          actions.appendChild(el('button', { type: 'button', class: 'secondary', 'data-revoke': i.id, 'data-country': i.country.name, 'aria-label': t('revokeLabel', { country: i.country.name }), text: t('revoke') }));
        }
        body.appendChild(
          el('tr', { 'data-id': i.id }, [
            el('th', { scope: 'row', text: i.country.name + ' (' + i.country.code + ')' }),
            el('td', { text: i.email || '' }),
            el('td', {}, [el('span', { class: 'badge badge-' + i.state, text: t('state.' + i.state) })]),
            el('td', {}, [el('time', { datetime: i.expiresAt, text: new Date(i.expiresAt).toLocaleDateString(lang) })]),
            el('td', { text: i.usedBy ? i.usedBy.respondentKey : '' }),
            actions,
          ]),
        );
      });
    if (invitations.length === 0) body.appendChild(el('tr', {}, [el('td', { colspan: '6', class: 'empty', text: t('noInvitations') })]));
    renderTotals();
  }

  function createInvitation(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var body = { country: form.country.value.trim(), email: form.email.value.trim(), expires: form.expires.value.trim() };
    api('/admin/invitations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.issues && data.issues.join('; ')) || 'HTTP ' + response.status);
          return data;
        });
      })
      .then(function (data) {
        $('invite-result-text').textContent = t('inviteCreated', { country: data.invitation.country.name });
        $('invite-code').textContent = data.code;
        $('invite-link').textContent = data.link;
        $('invite-result').hidden = false;
        form.country.value = '';
        form.email.value = '';
        invitations.push(data.invitation);
        renderInvitations();
      })
      .catch(function (error) {
        if (error && error.message === 'unauthorized') return;
        $('invite-result').hidden = true;
        notice(t('inviteFailed', { reason: error.message }));
      });
  }

  function revoke(id, country) {
    if (!window.confirm(t('revokeConfirm', { country: country }))) return;
    api('/admin/invitations/' + encodeURIComponent(id), { method: 'DELETE' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return load();
      })
      .catch(function (error) {
        if (!error || error.message !== 'unauthorized') notice(t('loadFailed'));
      });
  }

  // ---- Wiring ----------------------------------------------------------------------------------------------

  function init(dictionary) {
    texts = dictionary;
    var local = storage('localStorage');
    var saved = local ? local.getItem(KEYS.lang) : null;
    lang = saved === 'en' || saved === 'es' ? saved : /^es\b/i.test(navigator.language || '') ? 'es' : 'en';
    applyTexts();

    var langButtons = document.querySelectorAll('[data-lang]');
    for (var i = 0; i < langButtons.length; i++) {
      langButtons[i].addEventListener('click', function (event) { setLanguage(event.currentTarget.getAttribute('data-lang')); });
    }
    $('token-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var value = $('token').value.trim();
      if (!value) return;
      setToken(value);
      load();
    });
    $('sign-out').addEventListener('click', function () {
      setToken(null);
      responses = [];
      invitations = [];
      showSignIn('');
    });
    $('refresh').addEventListener('click', load);
    $('filter-text').addEventListener('input', renderResponses);
    $('filter-status').addEventListener('change', renderResponses);
    var sortButtons = document.querySelectorAll('#responses th[data-sort] button');
    for (var j = 0; j < sortButtons.length; j++) {
      sortButtons[j].addEventListener('click', function (event) {
        var key = event.currentTarget.parentNode.getAttribute('data-sort');
        sort = { key: key, dir: sort.key === key ? -sort.dir : 1 };
        renderResponses();
      });
    }
    document.querySelector('#responses tbody').addEventListener('click', function (event) {
      var target = event.target.closest('[data-download]');
      if (target) download(target.getAttribute('data-download'));
      var check = event.target.closest('[data-check-links]');
      if (check) checkLinks(check.getAttribute('data-check-links'), check.getAttribute('data-country'), check);
      var ask = event.target.closest('[data-review]');
      if (ask) openReview(ask.getAttribute('data-review'), ask.getAttribute('data-country'));
    });
    $('review-form').addEventListener('submit', flagItem);
    $('settings-form').addEventListener('submit', saveSettings);
    $('reminders-run').addEventListener('click', runReminders);
    $('import-form').addEventListener('submit', importRound);
    var exportButtons = document.querySelectorAll('[data-export]');
    for (var k = 0; k < exportButtons.length; k++) {
      exportButtons[k].addEventListener('click', function (event) {
        var status = $('filter-status').value;
        download('/admin/export?format=' + event.currentTarget.getAttribute('data-export') + (status ? '&status=' + status : ''));
      });
    }
    $('invite-form').addEventListener('submit', createInvitation);
    document.querySelector('#invitations tbody').addEventListener('click', function (event) {
      var target = event.target.closest('[data-revoke]');
      if (target) revoke(target.getAttribute('data-revoke'), target.getAttribute('data-country'));
    });

    if (getToken()) load();
    else showSignIn('');
  }

  fetch('/admin/i18n.json', { credentials: 'same-origin' })
    .then(function (response) { return response.json(); })
    .then(init)
    .catch(function () {
      $('notice').hidden = false;
      $('notice').textContent = 'The page could not load. Please reload it. / No se pudo cargar la página. Vuelva a cargarla.';
    });
})();
