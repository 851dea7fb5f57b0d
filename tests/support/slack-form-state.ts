// A report's answers as Slack's modal sends them: used by the Slack tests and by the
// bench's signed requests alike (no test framework imported here).
import type { ReportKind } from '../../src/core/report-schemas.js';
import { formFields, formValues } from '../../src/views/report-forms.js';

type Json = Record<string, unknown>;

/** A report's answers as the modal's state.values (block id → action "value" → element state). */
export function formState(kind: ReportKind, report: Json, extra: Json = {}): Json {
  const values = formValues(kind, report);
  const state: Json = {};
  for (const f of formFields[kind]) {
    const v = values[f.id];
    let element: Json;
    if (f.kind === 'date') element = { type: 'datepicker', selected_date: v ?? null };
    else if (f.kind === 'time') element = { type: 'timepicker', selected_time: v ?? null };
    else if (f.kind === 'choice' || f.kind === 'yesno') element = { type: 'radio_buttons', selected_option: v === undefined ? null : { value: v } };
    else if (f.kind === 'person') element = { type: 'static_select', selected_option: v === undefined ? null : { value: v } };
    else element = { type: 'plain_text_input', value: v ?? null };
    state[f.id] = { value: element };
  }
  return { ...state, ...extra };
}
