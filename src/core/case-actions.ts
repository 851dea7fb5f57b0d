/**
 * What can be recorded on a case besides a note (issue 12): the steps a DSL takes and the
 * agencies they refer to. Each may carry an external reference (a social care, police or
 * LADO reference number).
 */
export const caseActions = [
  { id: 'spoke_to_pupil', label: 'Spoke to the pupil' },
  { id: 'spoke_to_parents', label: 'Spoke to the parents or carers' },
  { id: 'referred_social_care', label: "Referred to children's social care" },
  { id: 'referred_lado', label: 'Referred to the LADO' },
  { id: 'referred_police', label: 'Reported to the police' },
  { id: 'referred_prevent', label: 'Referred to Prevent' },
  { id: 'report_remove', label: 'Used Report Remove (Childline and the IWF)' },
  { id: 'posh_helpline', label: 'Called the Professionals Online Safety Helpline' },
] as const;
export type CaseAction = (typeof caseActions)[number]['id'];

/** A note, or one of the actions: what a note form offers. */
export const noteKinds = [{ id: 'note', label: 'A note' }, ...caseActions] as const;

export const caseActionLabel = (id: string | undefined): string | undefined => noteKinds.find((k) => k.id === id)?.label;
