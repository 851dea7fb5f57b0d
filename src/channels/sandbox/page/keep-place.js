// Keeping a person's place on the sandbox page while the bot's messages arrive (the page
// polls every 2 seconds): a chat scrolls down only when its reader is already at the
// bottom and not typing in it; otherwise a "New messages ↓" button appears. A card drawn
// again (because it changed) keeps what the person had typed or chosen in it, and focus.
// Also the label fix-up the card renderer needs (see labelInputs).
'use strict';

const KeepPlace = (() => {
  const slack = 40; // px from the bottom that still counts as "at the bottom"
  const controls = 'input, textarea, select';

  const atBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < slack;

  /** Someone is typing or choosing in a card in this list (a button pressed is not typing). */
  function typingIn(list) {
    const el = document.activeElement;
    return !!el && list.contains(el) && el.matches(controls);
  }

  /** The "New messages ↓" button of a conversation, made the first time it is needed. */
  function newMessagesButton(list) {
    let button = list.parentElement.querySelector(':scope > .new-messages');
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      button.className = 'new-messages';
      button.textContent = 'New messages ↓';
      button.hidden = true;
      button.addEventListener('click', () => {
        list.scrollTop = list.scrollHeight;
        button.hidden = true;
      });
      list.addEventListener('scroll', () => {
        if (atBottom(list)) button.hidden = true;
      });
      list.after(button);
    }
    return button;
  }

  /** The state of a conversation before new messages are drawn into it. */
  function before(list) {
    return { atBottom: atBottom(list), typing: typingIn(list) };
  }

  /** After drawing: follow the new messages down, or offer the way down instead. */
  function after(list, was, grew, follow) {
    if (!grew) return;
    if (follow || (was.atBottom && !was.typing)) {
      list.scrollTop = list.scrollHeight;
      newMessagesButton(list).hidden = true;
    } else newMessagesButton(list).hidden = false;
  }

  /** Marks the inputs a person has changed in a card, so a redraw can keep them. */
  function watch(cardEl) {
    const mark = (e) => {
      if (e.target instanceof Element && e.target.matches(controls)) e.target.dataset.touched = 'true';
    };
    cardEl.addEventListener('input', mark);
    cardEl.addEventListener('change', mark);
  }

  /** A control's place in its card: the input id the card gave it, and which of that input's controls it is. */
  function keyOf(cardEl, control) {
    // The renderer's own element ids ("__ac-…") are new on every drawing; the card's input ids are not.
    let holder = control.closest('[id]');
    while (holder && cardEl.contains(holder) && holder.id.startsWith('__ac-')) holder = holder.parentElement && holder.parentElement.closest('[id]');
    const id = holder && cardEl.contains(holder) ? holder.id : '';
    const same = id ? [...holder.querySelectorAll(controls)] : [...cardEl.querySelectorAll(controls)];
    return `${id}#${same.indexOf(control)}:${control.type || control.tagName}`;
  }

  /** What the person changed in a card (and where the cursor was), to put back after a redraw. */
  function capture(cardEl) {
    const changed = [...cardEl.querySelectorAll(controls)].filter((c) => c.dataset.touched === 'true');
    const focused = cardEl.contains(document.activeElement) && document.activeElement.matches(controls) ? document.activeElement : undefined;
    return changed.map((c) => ({
      key: keyOf(cardEl, c),
      value: c.value,
      checked: c.checked,
      focus: c === focused,
      selection: c === focused && 'selectionStart' in c ? [c.selectionStart, c.selectionEnd] : undefined,
    }));
  }

  function restore(cardEl, kept) {
    if (kept.length === 0) return;
    const byKey = new Map([...cardEl.querySelectorAll(controls)].map((c) => [keyOf(cardEl, c), c]));
    for (const k of kept) {
      const c = byKey.get(k.key);
      if (!c) continue;
      if (c.type === 'radio' || c.type === 'checkbox') c.checked = k.checked;
      else c.value = k.value;
      c.dataset.touched = 'true';
      if (k.focus) {
        c.focus({ preventScroll: true });
        if (k.selection) {
          try {
            c.setSelectionRange(k.selection[0], k.selection[1]);
          } catch {
            // Not every input type has a cursor.
          }
        }
      }
    }
  }

  /**
   * The adaptivecards renderer (3.0.6) puts the label of a "filtered" choice set (the
   * "member of staff" picker) on the box around its text input, so the input itself has
   * no label (axe: `label`). Move the labelling onto the input.
   */
  function labelInputs(cardEl) {
    for (const input of cardEl.querySelectorAll('input.ac-choiceSetInput-filtered:not([aria-labelledby])')) {
      const holder = input.parentElement && input.parentElement.closest('[aria-labelledby]');
      if (!holder || !cardEl.contains(holder)) continue;
      input.setAttribute('aria-labelledby', holder.getAttribute('aria-labelledby'));
      holder.removeAttribute('aria-labelledby');
    }
  }

  return { before, after, watch, capture, restore, labelInputs };
})();
