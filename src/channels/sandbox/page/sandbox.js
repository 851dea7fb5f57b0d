// The sandbox page: shows what one person sees (their chat with the bot and, if they
// are in it, the DSL channel) and sends their clicks to the real bot. Cards are the
// bot's own Adaptive Cards, drawn by Microsoft's adaptivecards renderer.
/* global AdaptiveCards */
'use strict';

const api = (path, options = {}) =>
  fetch(`/sandbox/api/${path}`, { headers: { 'content-type': 'application/json' }, ...options }).then(async (res) => {
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw apiError(res, body);
    return body;
  });

/** A refused request as an Error: the server's words, and the field they belong beside (`field`). */
function apiError(res, body) {
  const words = body.problems || [res.status === 413 ? 'That is too much to send at once.' : `The sandbox could not do that (${res.status}).`];
  return Object.assign(new Error(words.join('\n')), { field: body.field, status: res.status });
}

const state = { as: localStorage.getItem('sandbox.as') || '', rendered: new Map(), people: [], follow: false };
const $ = (id) => document.getElementById(id);

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
/** The bot's text uses a little Markdown (bold) and escapes typed text with backslashes. */
function markdown(text) {
  const unescaped = [];
  const marked = text.replace(/\\(.)/g, (_m, c) => `\u0000${unescaped.push(c) - 1}\u0000`);
  return escapeHtml(marked)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\u0000(\d+)\u0000/g, (_m, i) => escapeHtml(unescaped[Number(i)]));
}

AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown(text);
  result.didProcess = true;
};

function notice(text) {
  const el = $('notice');
  el.innerHTML = markdown(text);
  el.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => (el.hidden = true), 6000);
}

/**
 * The renderer's default colours for accent, good, warning and attention text are too
 * light on white to read (WCAG AA: 4.5:1); these darker ones pass, close to Teams' own.
 */
const hostConfig = new AdaptiveCards.HostConfig({
  containerStyles: {
    default: {
      foregroundColors: {
        default: { default: '#1b1b1b', subtle: '#595959' },
        accent: { default: '#1f5fa8', subtle: '#1f5fa8' },
        good: { default: '#0b6a0b', subtle: '#0b6a0b' },
        warning: { default: '#8a4b00', subtle: '#8a4b00' },
        attention: { default: '#b3261e', subtle: '#b3261e' },
      },
    },
  },
});

function renderCard(card, conversationId, messageId) {
  const adaptive = new AdaptiveCards.AdaptiveCard();
  adaptive.hostConfig = hostConfig;
  adaptive.onExecuteAction = async (action) => {
    // Action.Execute and its Action.Submit fallback: the data with the card's inputs.
    const data = { ...(action.data || {}) };
    if (action.verb) data.verb = action.verb;
    state.follow = true;
    try {
      const result = await api('action', { method: 'POST', body: JSON.stringify({ as: state.as, conversation: conversationId, messageId, data }) });
      if (result.notices && result.notices.length) notice(result.notices.join('\n'));
    } catch (err) {
      notice(String(err.message || err));
    }
    await refresh();
    state.follow = false;
  };
  adaptive.parse(card);
  const el = adaptive.render();
  KeepPlace.labelInputs(el);
  return el;
}

function renderMessage(m, conversationId) {
  const el = document.createElement('div');
  el.className = `message${m.fromBot ? '' : ' mine'}`;
  el.dataset.messageId = String(m.id);
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = `${m.author} · ${m.at}`;
  el.append(meta);
  if (m.card) {
    const card = document.createElement('div');
    card.className = 'card';
    card.append(renderCard(m.card, conversationId, m.id));
    KeepPlace.watch(card);
    el.append(card);
  } else {
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.innerHTML = markdown(m.text || '');
    el.append(bubble);
  }
  return el;
}

/** Shows (or, with no words, clears) an error next to the control it is about, tied to it for screen readers. */
function fieldError(control, words) {
  const el = $(control.getAttribute('aria-errormessage') || '');
  if (words) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
  el.textContent = words || '';
  el.hidden = !words;
}

function chatTools() {
  const form = $('chat-tools').content.firstElementChild.cloneNode(true);
  const input = form.querySelector('input[type=text]');
  const files = form.querySelector('input[type=file]');
  const say = async (text, refused = () => {}) => {
    state.follow = true;
    try {
      await api('say', { method: 'POST', body: JSON.stringify({ as: state.as, text }) });
      return true;
    } catch (err) {
      // A message the bot refuses (too long) stays in the box, with the reason beside it:
      // the text is back in the box before the reason shows.
      refused();
      if (err.field === 'text') fieldError(input, err.message);
      else if (err.status === 413) fieldError(input, 'That message is far too long for the bot (2,000 characters at most). Please shorten it: your text is still in the box.');
      else notice(err.message);
      return false;
    } finally {
      await refresh();
      state.follow = false;
    }
  };
  form.querySelector('.report').addEventListener('click', () => say('report'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    // The box is emptied as the message goes (what is typed meanwhile is the next message);
    // a message the bot refused comes back into the box, beside its error.
    input.value = '';
    const putBack = () => {
      if (!input.value) input.value = text;
    };
    if (await say(text, putBack)) fieldError(input, '');
    else {
      if (!input.value) input.value = text;
      input.focus();
    }
  });
  input.addEventListener('input', () => input.getAttribute('aria-invalid') === 'true' && fieldError(input, ''));
  files.addEventListener('change', async (e) => {
    // Each file's refusal, in words, next to the file input (and the bot's reply in the chat).
    const refused = [];
    fieldError(files, '');
    state.follow = true;
    for (const file of e.target.files) {
      try {
        const res = await fetch(`/sandbox/api/upload?as=${encodeURIComponent(state.as)}&name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: file,
        });
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw apiError(res, body);
        if (body.added === 0) refused.push(...(body.notices || []));
      } catch (err) {
        refused.push(err.status ? err.message : `${file.name}: it could not be sent (${err.message || err}). Please try again.`);
      }
    }
    e.target.value = '';
    fieldError(files, refused.join('\n'));
    await refresh();
    state.follow = false;
  });
  return form;
}

/** Draws the conversations; a card is drawn again only when it changed, so typing in a form is never lost. */
function draw(conversations) {
  const root = $('conversations');
  const seen = new Set();
  for (const c of conversations) {
    seen.add(c.id);
    let section = root.querySelector(`[data-conversation="${c.id}"]`);
    if (!section) {
      section = document.createElement('section');
      section.className = 'conversation';
      section.dataset.conversation = c.id;
      section.setAttribute('aria-label', c.title);
      const h = document.createElement('h2');
      h.textContent = c.id === 'dsl' ? `# ${c.title}` : c.title;
      const list = document.createElement('div');
      list.className = 'messages';
      section.append(h, list);
      if (c.id === 'chat') section.append(chatTools());
      root.append(section);
    }
    const list = section.querySelector('.messages');
    const was = KeepPlace.before(list);
    let grew = false;
    for (const m of c.messages) {
      const key = `${c.id}:${m.id}`;
      const existing = list.querySelector(`[data-message-id="${m.id}"]`);
      if (existing && state.rendered.get(key) === m.version) continue;
      const el = renderMessage(m, c.id);
      if (existing) {
        // A card that changed is drawn again with what the person had typed in it.
        const kept = KeepPlace.capture(existing);
        existing.replaceWith(el);
        KeepPlace.restore(el, kept);
      } else {
        list.append(el);
        grew = true;
      }
      state.rendered.set(key, m.version);
    }
    if (c.messages.length === 0 && !list.querySelector('.empty')) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = c.id === 'dsl' ? 'Nothing in the DSL channel yet.' : 'No messages yet.';
      list.append(empty);
    } else if (c.messages.length > 0) list.querySelector('.empty')?.remove();
    KeepPlace.after(list, was, grew, state.follow);
  }
  for (const section of root.querySelectorAll('[data-conversation]')) if (!seen.has(section.dataset.conversation)) section.remove();
}

async function refresh() {
  if (!state.as) return;
  try {
    const s = await api(`state?as=${encodeURIComponent(state.as)}`);
    $('clock').textContent = s.clock;
    draw(s.conversations);
  } catch (err) {
    notice(String(err.message || err));
  }
}

function choose(personId) {
  state.as = personId;
  localStorage.setItem('sandbox.as', personId);
  state.rendered.clear();
  $('conversations').replaceChildren();
  const p = state.people.find((x) => x.id === personId);
  $('roles').textContent = p ? p.roles.join(', ') : '';
  api('welcome', { method: 'POST', body: JSON.stringify({ as: personId }) }).then(refresh, (e) => notice(e.message));
}

async function start() {
  const { people, school, database } = await api('people');
  state.people = people;
  $('where').textContent = `${school}: everything here runs on this computer, through the real bot, and is kept in ${database}.`;
  const select = $('person');
  for (const p of people) {
    const option = document.createElement('option');
    option.value = p.id;
    option.textContent = `${p.name} (${p.roles.join(', ')})`;
    select.append(option);
  }
  if (!people.some((p) => p.id === state.as)) state.as = people[0]?.id || '';
  select.value = state.as;
  select.addEventListener('change', () => choose(select.value));
  for (const button of document.querySelectorAll('.skips button')) {
    button.addEventListener('click', async () => {
      await api('clock', { method: 'POST', body: JSON.stringify({ minutes: Number(button.dataset.minutes), working: button.dataset.working === 'true' }) }).catch((e) => notice(e.message));
      await refresh();
    });
  }
  choose(state.as);
  setInterval(refresh, 2000);
}

// The group chat (group-chat.js) asks for a redraw once a message is reported.
document.addEventListener('sandbox:refresh', () => refresh());

start().catch((err) => notice(String(err.message || err)));
