import type { FieldIssue } from '../core/errors.js';
import { html, type SafeHtml } from './html.js';

/** A refused form: which form on the page, the words for it, and each field's problem. */
export interface FormProblem {
  form: string;
  message: string;
  issues: FieldIssue[];
}

/**
 * How a page shows a refused form: the problem under its field (`issue`), the field marked
 * invalid and described by it (`invalid`), and the form's own message (`problem`). Empty for
 * every other form on the page.
 */
export function formProblems(p: FormProblem | undefined): {
  issue: (form: string, path: string) => SafeHtml | '';
  invalid: (form: string, path: string) => SafeHtml | '';
  problem: (form: string) => SafeHtml | '';
} {
  const on = (form: string, path: string) => (p?.form === form ? p.issues.find((x) => x.path === path) : undefined);
  return {
    issue: (form, path) => {
      const i = on(form, path);
      return i ? html`<span class="field-error" id="${form}-${path}-error">${i.message}</span>` : '';
    },
    invalid: (form, path) => (on(form, path) ? html` aria-invalid="true" aria-describedby="${form}-${path}-error"` : ''),
    problem: (form) => (p?.form === form ? html`<p class="error" role="alert">${p.message}</p>` : ''),
  };
}
