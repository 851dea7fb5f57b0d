// The sandbox's group chat (a class team of the demo school), with "Report this message"
// on each message (issue 13). Reporting one opens the report form in your own chat with
// the bot, prefilled from the message; nothing is ever posted in the group chat.
'use strict';

(() => {
  const root = () => document.getElementById('conversations');
  const as = () => document.getElementById('person')?.value || '';
  let section;

  function say(text) {
    const el = document.getElementById('notice');
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => (el.hidden = true), 6000);
  }

  async function report(messageId) {
    const res = await fetch('/sandbox/api/report-message', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: as(), messageId }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((body.problems || [res.statusText]).join('; '));
    say((body.notices || []).join(' '));
    document.dispatchEvent(new CustomEvent('sandbox:refresh'));
  }

  function render(group) {
    section = document.createElement('section');
    section.className = 'conversation group-chat';
    section.setAttribute('aria-label', group.title);
    const h = document.createElement('h2');
    h.textContent = `${group.title}: group chat`;
    const list = document.createElement('div');
    list.className = 'messages';
    for (const m of group.messages) {
      const el = document.createElement('div');
      el.className = 'message';
      el.dataset.groupMessageId = m.id;
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = `${m.author} (${m.who}) · ${m.at}`;
      const bubble = document.createElement('div');
      bubble.className = 'bubble';
      bubble.textContent = m.text;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'report-message';
      button.textContent = 'Report this message';
      button.setAttribute('aria-label', `Report this message from ${m.author}`);
      button.addEventListener('click', () => report(m.id).catch((err) => say(String(err.message || err))));
      el.append(meta, bubble, button);
      list.append(el);
    }
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = 'Messages from pupils and staff, as in a Teams class team or a Slack channel. Only the message you report is taken, never the rest of the chat.';
    section.append(h, note, list);
  }

  /** Keeps the group chat first among the conversations (the page redraws them when you change who you are). */
  function place() {
    const r = root();
    if (section && r && r.firstElementChild !== section) r.prepend(section);
  }

  async function mount() {
    const res = await fetch('/sandbox/api/group');
    if (!res.ok) return;
    render(await res.json());
    place();
    new MutationObserver(place).observe(root(), { childList: true });
  }

  window.addEventListener('DOMContentLoaded', () => {
    mount().catch((err) => say(String(err.message || err)));
  });
})();
