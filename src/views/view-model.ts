/**
 * A channel-neutral view of one message: what Teams' Adaptive Cards, the sandbox and
 * Slack's blocks all render. Every string is plain text; each renderer escapes it for
 * its own markup.
 */
/** A case's own verbs (issue 12): the forms to close, reopen and add a note, and what they send. */
export type CaseVerb = 'close_form' | 'reopen_form' | 'note_form' | 'close' | 'reopen' | 'note';

export interface ActionView {
  /** The verb the bot receives back (Action.Execute verb, Slack action id). */
  verb: 'acknowledge' | 'view' | 'decide' | 'complete_task' | CaseVerb;
  title: string;
  style: 'positive' | 'destructive' | 'default';
  data: { reportId: string; dutyId?: string };
}

export interface InputView {
  id: string;
  kind: 'text' | 'multiline' | 'choice';
  label: string;
  required: boolean;
  errorMessage: string;
  /** The most characters a text input takes (core's limit for that text). */
  maxLength?: number;
  choices?: { title: string; value: string }[];
  /** What the person had entered, when a form comes back to them. */
  value?: string;
  /** Why the bot refused that answer: shown next to it. */
  issue?: string;
}

export interface MessageView {
  title: string;
  urgent: boolean;
  /** A line of status shown prominently ("Acknowledged by Jo Patel at 10:42"). */
  status?: string;
  facts: { title: string; value: string }[];
  paragraphs: string[];
  inputs: InputView[];
  actions: ActionView[];
}
