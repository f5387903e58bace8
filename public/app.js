/*
 * MSQ web chat page: Bot Framework Web Chat (served from this server, /assets/webchat.js) talking to the bot over
 * Direct Line — this server's own (self-hosted) or Azure's, whichever /api/directline/token says.
 *
 * - The respondent is this browser: the server keeps its identity in an HttpOnly cookie that this script never
 *   sees, and tells the page the user id it proves with each token. Reloading, or coming back days later on the
 *   same browser, resumes the same response; knowing the user id alone gives nobody access to it.
 * - The language (English / Español) is remembered too; switching it changes Web Chat's language and sends the
 *   bot "language en" / "idioma es", so the questions change language as well.
 * - The progress bar follows channelData.msq.progress of the bot's questions: "Question 17 of 44 · section C".
 * - An invitation link (`/?invitation=MSQ-…`) gives its code to the bot as an event (`msq.invitation`) once the bot
 *   has greeted, on every connection (the bot ignores it once the response exists); the code is then removed from
 *   the address bar.
 * No inline script anywhere: the page's Content-Security-Policy is script-src 'self'.
 */
(function () {
  'use strict';

  var KEYS = { lang: 'msq.webchat.lang', oldUser: 'msq.webchat.userId' };
  var STATUS = { online: 2, expiredToken: 3, failedToConnect: 4, ended: 5 };
  var COMMAND = /^\s*(?:language|idioma|lenguaje)\s+(en|es)\s*$/i;
  var MAX_RESTARTS = 6;
  var INVITATION = /^[A-Za-z0-9 _.-]{4,40}$/;

  var texts = null;
  var lang = 'en';
  var userId = ''; // the user id the server's cookie proves (given with each token)
  var session = null; // { directLine, store }
  var restarts = 0;
  var restartTimer = null;
  var progress = null; // { question, questions, section, answered }: channelData.msq.progress
  var invitation = null; // the code of an invitation link

  var $ = function (id) { return document.getElementById(id); };

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  }

  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
  }

  function initialLanguage() {
    var saved = read(KEYS.lang);
    if (saved === 'en' || saved === 'es') return saved;
    return /^es\b/i.test(navigator.language || '') ? 'es' : 'en';
  }

  /** The locale sent to the bot and given to Web Chat: the browser's own tag when it is of the chosen language. */
  function locale() {
    var browser = navigator.language || '';
    if (browser.toLowerCase().indexOf(lang) === 0) return browser;
    return lang === 'es' ? 'es-ES' : 'en-US';
  }

  function t(key, params) {
    var dict = (texts && texts[lang]) || {};
    var text = dict[key] || (texts && texts.en && texts.en[key]) || '';
    return text.replace(/\{(\w+)\}/g, function (_, name) { return params && params[name] !== undefined ? String(params[name]) : ''; });
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = t('documentTitle');
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) {
      var key = nodes[i].getAttribute('data-i18n');
      if (key !== 'progressNone' && key !== 'connecting') nodes[i].textContent = t(key);
    }
    var buttons = document.querySelectorAll('[data-lang]');
    for (var j = 0; j < buttons.length; j++) buttons[j].setAttribute('aria-pressed', String(buttons[j].getAttribute('data-lang') === lang));
    // The privacy notice and the terms of use, in the page's language.
    $('privacy').setAttribute('href', '/privacy?lang=' + lang);
    $('terms').setAttribute('href', '/terms?lang=' + lang);
    renderProgress();
  }

  /**
   * "Question 17 of 44 · section C", as in the printed questionnaire (channelData.msq.progress: question, questions,
   * section). The bar stands at the question; before question 1 (the contact block) it is empty, after the last
   * one (the consent, the submission) it is full. The count is fixed: it never grows as follow-ups unlock.
   */
  function renderProgress() {
    var bar = $('progress');
    var label = $('progress-text');
    if (!progress) {
      label.textContent = t('progressNone');
      return;
    }
    var count = progress.questions;
    var at = progress.question !== null ? progress.question : progress.section === 'respondent' ? 0 : count;
    bar.max = Math.max(1, count);
    bar.value = Math.min(at, count);
    var params = { number: progress.question, count: count, section: progress.section, answered: progress.answered };
    if (progress.question !== null) label.textContent = t('progressQuestion', params);
    else if (progress.section === 'respondent') label.textContent = t('progressContact', params);
    else if (progress.section !== null) label.textContent = t('progressSection', params);
    else label.textContent = t('progressSubmit', params);
  }

  function notice(key) {
    var el = $('notice');
    if (!key) {
      el.hidden = true;
      el.textContent = '';
      return;
    }
    el.textContent = t(key);
    el.hidden = false;
  }

  /**
   * Makes a question card usable in Web Chat: Adaptive Cards refuses to render a required input without a label
   * (Web Chat then shows nothing), and cuts long choices to one line unless they wrap. Such inputs get a label
   * and wrapping here. Returns the activity unchanged when nothing is missing.
   */
  function fixCards(activity) {
    var attachments = activity && activity.attachments;
    if (!attachments || !attachments.length) return activity;
    var changed = false;
    var fix = function (node) {
      if (Array.isArray(node)) return node.map(fix);
      if (!node || typeof node !== 'object') return node;
      var copy = {};
      Object.keys(node).forEach(function (key) { copy[key] = fix(node[key]); });
      if (typeof copy.type === 'string' && copy.type.indexOf('Input.') === 0 && copy.isRequired && !copy.label) {
        copy.label = t('answerLabel');
        if (!copy.errorMessage) copy.errorMessage = t('answerRequired');
        changed = true;
      }
      if (copy.type === 'Input.ChoiceSet' && copy.wrap === undefined) {
        copy.wrap = true;
        changed = true;
      }
      return copy;
    };
    var fixed = attachments.map(function (attachment) {
      return attachment && attachment.contentType === 'application/vnd.microsoft.card.adaptive' ? fix(attachment) : attachment;
    });
    if (!changed) return activity;
    var copy = {};
    Object.keys(activity).forEach(function (key) { copy[key] = activity[key]; });
    copy.attachments = fixed;
    return copy;
  }

  /** The invitation code of the page's link (`?invitation=`), removed from the address bar once read. */
  function readInvitation() {
    try {
      var url = new URL(window.location.href);
      var code = url.searchParams.get('invitation');
      if (code === null) return null;
      url.searchParams.delete('invitation');
      window.history.replaceState(null, '', url.pathname + url.search + url.hash);
      return INVITATION.test(code) ? code : null;
    } catch (e) {
      return null;
    }
  }

  /** Web Chat's store, watching incoming activities for the progress, and typed language commands. */
  function createStore() {
    var invitationSent = false;
    return window.WebChat.createStore({}, function (store) {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
            var incoming = action.payload && action.payload.activity;
            var fromBot = incoming && incoming.from && incoming.from.role !== 'user' && incoming.from.id !== userId;
            if (invitation && fromBot && !invitationSent) {
              // After the bot's greeting, so that its answer to the code comes after it.
              invitationSent = true;
              setTimeout(function () {
                store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'msq.invitation', value: invitation } });
              }, 0);
            }
            var activity = fixCards(incoming);
            if (activity !== incoming) {
              action = { type: action.type, meta: action.meta, payload: Object.assign({}, action.payload, { activity: activity }) };
            }
            var msq = activity && activity.channelData && activity.channelData.msq;
            var p = msq && msq.progress;
            if (p && typeof p.questions === 'number' && (p.question === null || typeof p.question === 'number')) {
              progress = {
                question: p.question,
                questions: p.questions,
                section: typeof p.section === 'string' && /^(?:[A-H]|respondent)$/.test(p.section) ? p.section : null,
                answered: typeof p.answered === 'number' ? p.answered : 0,
              };
              renderProgress();
            }
          } else if (action.type === 'WEB_CHAT/SEND_MESSAGE') {
            var match = COMMAND.exec((action.payload && action.payload.text) || '');
            if (match) setTimeout(function () { setLanguage(match[1].toLowerCase(), false); }, 0);
          }
          return next(action);
        };
      };
    });
  }

  function render() {
    if (!session) return;
    window.WebChat.renderWebChat(
      {
        directLine: session.directLine,
        store: session.store,
        userID: userId,
        locale: locale(),
        styleOptions: {
          accent: '#0b4f8a',
          subtle: '#4a4a4a',
          timestampColor: '#4a4a4a',
          primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
          bubbleBackground: '#eef2f7',
          bubbleFromUserBackground: '#dce9f7',
          bubbleBorderRadius: 8,
          bubbleFromUserBorderRadius: 8,
          bubbleMaxWidth: 640,
          hideUploadButton: true,
          sendBoxTextWrap: true,
          suggestedActionLayout: 'flow',
          rootHeight: '100%',
        },
      },
      $('webchat'),
    );
  }

  /** Gets a token (a new conversation) and starts Web Chat; the bot greets, or welcomes back, on joining. */
  function start() {
    notice(restarts ? 'reconnecting' : 'connecting');
    return fetch('/api/directline/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
      cache: 'no-store',
    })
      .then(function (response) {
        if (!response.ok) throw new Error('token: HTTP ' + response.status);
        return response.json();
      })
      .then(function (grant) {
        userId = grant.userId;
        var domain = new URL(grant.domain, window.location.href).href.replace(/\/+$/, '');
        var directLine = window.WebChat.createDirectLine({
          token: grant.token,
          domain: domain,
          webSocket: grant.webSocket === true,
          // Polling only on the built-in Direct Line, whose polls wait for news: re-poll at once.
          pollingInterval: 200,
          conversationStartProperties: { locale: locale() },
        });
        var current = { directLine: directLine, store: createStore() };
        directLine.connectionStatus$.subscribe(function (status) {
          if (session !== current) return;
          if (status === STATUS.online) {
            restarts = 0;
            notice(null);
          }
          else if (status === STATUS.expiredToken || status === STATUS.failedToConnect || status === STATUS.ended) restart();
        });
        session = current;
        render();
      })
      .catch(function () {
        restart();
      });
  }

  /** A lost connection or an expired token: start a new conversation (the answers are kept by the bot). */
  function restart() {
    if (restartTimer) return;
    if (restarts >= MAX_RESTARTS) {
      notice('failed');
      return;
    }
    var old = session;
    session = null;
    if (old) {
      try { old.directLine.end(); } catch (e) { /* already ended */ }
    }
    notice('reconnecting');
    var delay = Math.min(30000, 1000 * Math.pow(2, restarts));
    restarts += 1;
    restartTimer = setTimeout(function () {
      restartTimer = null;
      start();
    }, delay);
  }

  /** Changes the page's and Web Chat's language; tells the bot unless it was the respondent's own command. */
  function setLanguage(next, tellBot) {
    if ((next !== 'en' && next !== 'es') || next === lang) return;
    lang = next;
    write(KEYS.lang, lang);
    applyTexts();
    render();
    if (tellBot && session) {
      session.store.dispatch({ type: 'WEB_CHAT/SEND_MESSAGE', payload: { text: t('switchCommand') } });
    }
  }

  function init(dictionary) {
    texts = dictionary;
    lang = initialLanguage();
    // Earlier versions kept the user id in localStorage, where it served as the credential: it is not one any more.
    forget(KEYS.oldUser);
    invitation = readInvitation();
    applyTexts();
    var buttons = document.querySelectorAll('[data-lang]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function (event) {
        setLanguage(event.currentTarget.getAttribute('data-lang'), true);
      });
    }
    if (!window.WebChat) {
      notice('failed');
      return;
    }
    start();
  }

  fetch('/i18n.json', { credentials: 'same-origin' })
    .then(function (response) { return response.json(); })
    .then(init)
    .catch(function () {
      $('notice').textContent = 'The page could not load. Please reload it. / No se pudo cargar la página. Vuelva a cargarla.';
    });
})();
