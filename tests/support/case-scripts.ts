/**
 * What each worked example needs before it can be closed, and who closes it: the same
 * script on every surface (core, Slack, Teams, the sandbox).
 */
export interface CaseScript {
  /** Steps before closing: a decision (with its choice), the block task, or time passing (example 5). */
  steps: ({ verb: 'decide'; actor: string; choice: string; reason: string } | { verb: 'complete_task'; actor: string; action: string } | { verb: 'escalate' })[];
  closer: string;
  outcome: 'action_taken' | 'referred' | 'no_further_action' | 'not_a_safeguarding_concern';
  outcomeLabel: string;
  reason: string;
}

export const caseScripts: Record<number, CaseScript> = {
  1: { steps: [], closer: 'jo-patel', outcome: 'action_taken', outcomeLabel: 'Action taken in school', reason: 'Spoke to the pupil about contact with staff online.' },
  2: {
    steps: [{ verb: 'decide', actor: 'alex-morgan', choice: 'refer_to_lado', reason: 'Contact with pupils outside school.' }],
    closer: 'alex-morgan',
    outcome: 'referred',
    outcomeLabel: 'Referred to another agency',
    reason: 'Referred to the LADO; their advice followed.',
  },
  3: {
    steps: [{ verb: 'decide', actor: 'priya-shah', choice: 'refer_to_lado', reason: 'A post about a pupil by the headteacher.' }],
    closer: 'priya-shah',
    outcome: 'referred',
    outcomeLabel: 'Referred to another agency',
    reason: 'The LADO has the case.',
  },
  4: {
    steps: [{ verb: 'complete_task', actor: 'lee-evans', action: 'Blocked the domain on the web filter' }],
    closer: 'jo-patel',
    outcome: 'action_taken',
    outcomeLabel: 'Action taken in school',
    reason: 'Site blocked; the pupil was spoken to.',
  },
  5: { steps: [{ verb: 'escalate' }], closer: 'alex-morgan', outcome: 'action_taken', outcomeLabel: 'Action taken in school', reason: 'Both pupils and parents met; the posts were removed.' },
  6: {
    steps: [{ verb: 'decide', actor: 'jo-patel', choice: 'refer_to_childrens_social_care', reason: 'Shared widely; the pupil is at risk.' }],
    closer: 'jo-patel',
    outcome: 'referred',
    outcomeLabel: 'Referred to another agency',
    reason: "Children's social care have the case; Report Remove used.",
  },
  7: {
    steps: [{ verb: 'decide', actor: 'alex-morgan', choice: 'investigate_code_of_conduct', reason: 'Conduct to be looked at under the code.' }],
    closer: 'alex-morgan',
    outcome: 'no_further_action',
    outcomeLabel: 'No further action',
    reason: 'Investigated: the posts were within the code of conduct.',
  },
};

/** Names of staff that a reporter must never be shown when told "closed" (G6). */
export const staffNames = ['Jo Patel', 'Alex Morgan', 'Priya Shah', 'Sam Okafor', 'Lee Evans'];
