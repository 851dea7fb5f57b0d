/**
 * Every failure that a person can cause carries a stable `code`. Core never words the
 * message for people; each channel adapter turns codes into words in one place.
 */
export const errorCodes = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'FORBIDDEN',
  'ALREADY_DONE',
  'REASON_REQUIRED',
  'TEXT_TOO_LONG',
  'INVALID_CHOICE',
  'DUTIES_PENDING',
  'REPORT_CLOSED',
  'NOT_CLOSED',
  'EVIDENCE_NOT_ALLOWED',
  'EVIDENCE_TYPE',
  'EVIDENCE_TOO_LARGE',
  'EVIDENCE_TOO_MANY',
  'CONFIG_INVALID',
  'POLICY_INVALID',
  'TOO_MANY_REPORTS',
  'LEGAL_HOLD',
  'NOT_DUE',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** A problem with one field of a form: the path inside the form and a message a teacher understands. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];

  constructor(code: ErrorCode, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.issues = issues;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
