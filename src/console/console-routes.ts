import { readFileSync } from 'node:fs';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ConsoleConfig } from '../config.js';
import { caseActions, caseQueue, mayEnterConsole, recordConsoleEvent, relatedCases, viewEvidence, type CaseConsoleDeps } from '../core/case-console.js';
import { DomainError, type FieldIssue } from '../core/errors.js';
import { reportKinds } from '../core/report-schemas.js';
import type { Workflow } from '../core/workflow.js';
import type { Logger } from '../logger.js';
import type { Keyring } from '../store/keyring.js';
import { wordsForError } from '../views/error-words.js';
import { reportDetailsView } from '../views/message-views.js';
import { formatLocal } from '../core/working-time.js';
import { casePage, messagePage, queuePage, signInPage, type Chrome } from './console-pages.js';
import { ConsoleOidc } from './console-oidc.js';
import { ConsoleSessions, type Session } from './console-session.js';
import { mayGetGovernorsReport, mountExports } from './console-exports.js';
import type { CaseFacts } from '../core/governors-report.js';
import { mayExportAuditLog, mayExportFilteringLog } from '../core/filtering-log.js';
import { mayExportReputationLog } from '../core/reputation-log.js';
import type { auditLogWithCheck } from '../store/report-period.js';
import type { CaseRetentionStore } from '../store/case-retention-store.js';
import { mountRetention } from './console-retention.js';
import { mountPeople } from './console-people.js';
import type { PupilIdentityStore } from '../store/pupil-identity-store.js';

export interface ConsoleDeps extends CaseConsoleDeps {
  http: Express;
  workflow: Workflow;
  keys: Keyring;
  log: Logger;
  config: ConsoleConfig;
  /** The sandbox's person picker (never beside real credentials: config refuses that). */
  sandbox: boolean;
  schoolName: string;
  /** Every case with a block task (from the store), for the filtering and blocking log. */
  casesWithTasks: () => CaseFacts[];
  /** The cases made around a period of school dates (from the store), for the governors' report. */
  casesAround: (from: string, to: string) => CaseFacts[];
  /** Every case (from the store), for the reputation log. */
  allCases: () => CaseFacts[];
  /** The whole audit log and its full check (from the store). */
  auditLog: () => ReturnType<typeof auditLogWithCheck>;
  /** Retention, legal holds, disposal and transfers (the DSL's page at /console/cases/:id/retention). */
  retention?: CaseRetentionStore;
  /** Pupil identities: the DSL's merges and splits (the people pages). */
  identities: PupilIdentityStore;
}

const css = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

/** No caching, no framing, no referrer, nothing loaded from elsewhere, no script at all. */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  next();
}

const filtersSchema = z.object({
  kind: z.enum(reportKinds).optional().catch(undefined),
  status: z.enum(['open', 'acknowledged']).optional().catch(undefined),
  rule: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/).optional().catch(undefined),
});
const decideSchema = z.object({ dutyId: z.string().max(100).default(''), choice: z.string().max(100).default(''), reason: z.string().max(20_000).default('') });
const taskSchema = z.object({ dutyId: z.string().max(100).default(''), action: z.string().max(20_000).default('') });
const closeSchema = z.object({ outcome: z.string().max(100).default(''), reason: z.string().max(20_000).default('') });
const noteSchema = z.object({ what: z.string().max(100).default(''), text: z.string().max(20_000).default(''), externalRef: z.string().max(2_000).default('') });
const reopenSchema = z.object({ reason: z.string().max(20_000).default('') });

/**
 * The private case console at /console/: sign-in (OpenID Connect, or the sandbox's person
 * picker), the queue, the case page, and the decide and close forms through core's commands.
 */
export function mountConsole(d: ConsoleDeps): void {
  const secure = d.config.publicUrl?.startsWith('https://') ?? false;
  const sessions = new ConsoleSessions(d.keys, d.clock, { idleMinutes: d.config.idleMinutes, secure });
  const oidc = d.config.oidc && d.config.publicUrl ? new ConsoleOidc(d.config.oidc, `${d.config.publicUrl}/console/callback`) : undefined;
  const router = express.Router();
  router.use(securityHeaders);
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 }));
  const chrome = (session?: Session): Chrome => ({
    schoolName: d.schoolName,
    ...(session ? { person: { name: d.directory.displayName(session.p), csrf: sessions.csrfToken(session) } } : {}),
  });
  const page = (res: Response, status: number, body: string) => void res.status(status).type('html').send(body);
  const refusedEntry = (res: Response) =>
    page(res, 403, messagePage(chrome(), 'You cannot use the case console', [
      'The case console is for the DSL, the deputies, the headteacher and the chair of governors, and for the ICT technician and the reputation lead for their own tasks.',
      'To report a concern, use the bot in Teams or Slack. If you think you should have access, ask the DSL or the school IT administrator.',
    ]));

  router.get('/console.css', (_req, res) => void res.type('css').send(css));

  router.get('/sign-in', async (req, res) => {
    const login = d.sandbox ? await sessions.startLogin(res) : undefined;
    page(res, 200, signInPage(chrome(), {
      idleMinutes: d.config.idleMinutes,
      ...(req.query.expired !== undefined ? { notice: `You were signed out after ${d.config.idleMinutes} minutes without using the console. Sign in again.` } : {}),
      ...(req.query.out !== undefined ? { notice: 'You are signed out.' } : {}),
      ...(oidc ? { oidc: { label: oidc.label } } : {}),
      ...(login
        ? {
            sandbox: {
              token: sessions.preToken(login.pre),
              people: d.directory.people.map((p) => ({ id: p.id, name: p.name, roles: p.roles.join(', ').replaceAll('_', ' ') })),
            },
          }
        : {}),
    }));
  });

  router.post('/sign-in/sandbox', async (req, res) => {
    const login = await sessions.readLogin(req);
    const body = z.object({ person: z.string().max(64), _csrf: z.string().max(200) }).safeParse(req.body);
    if (!d.sandbox) return page(res, 404, messagePage(chrome(), 'Not found', ['There is no such page.']));
    if (!login || !body.success || body.data._csrf !== sessions.preToken(login.pre)) return csrfRefused(res);
    sessions.endLogin(res);
    return enter(res, body.data.person);
  });

  router.get('/sign-in/oidc', async (_req, res) => {
    if (!oidc) return page(res, 404, messagePage(chrome(), 'Not found', ['Sign-in by Microsoft or Slack is not set up on this server.']));
    try {
      const begun = await oidc.begin();
      await sessions.startLogin(res, { state: begun.state, nonce: begun.nonce, verifier: begun.verifier });
      return res.redirect(303, begun.url);
    } catch (err) {
      d.log.warn({ code: (err as { code?: string }).code ?? (err as Error).name }, 'console sign-in: the identity provider could not be reached');
      return page(res, 502, messagePage(chrome(), 'Sign-in is not available', ['The sign-in service could not be reached. Try again in a minute; if it keeps happening, tell the school IT administrator.']));
    }
  });

  router.get('/callback', async (req, res) => {
    if (!oidc || !d.config.publicUrl) return page(res, 404, messagePage(chrome(), 'Not found', ['There is no such page.']));
    const login = await sessions.readLogin(req);
    sessions.endLogin(res);
    const again = (why: string) => page(res, 400, messagePage(chrome(), 'Sign-in did not complete', [why, 'Go to the console and sign in again.']));
    if (typeof req.query.error === 'string') return again('The sign-in was cancelled or refused.');
    if (!login?.state || !login.nonce || !login.verifier) return again('The sign-in took too long, or was started in another browser.');
    try {
      const url = new URL(`${d.config.publicUrl}/console/callback${req.url.slice(req.url.indexOf('?') >= 0 ? req.url.indexOf('?') : req.url.length)}`);
      const identity = await oidc.finish(url, { state: login.state, nonce: login.nonce, verifier: login.verifier });
      return enter(res, d.directory.resolveIdentity(identity));
    } catch (err) {
      d.log.warn({ code: (err as { code?: string }).code ?? (err as Error).name }, 'console sign-in refused');
      return again('The sign-in could not be checked.');
    }
  });

  /** Starts a session for a person whose roles let them in; anyone else gets the 403 page (audited). */
  async function enter(res: Response, personId: string): Promise<void> {
    if (!mayEnterConsole(d.directory, personId)) {
      recordConsoleEvent(d, personId, 'console.refused', { reason: d.directory.has(personId) ? 'role' : 'unknown_person' });
      d.log.info({ personId: d.directory.has(personId) ? personId : 'unlisted' }, 'console entry refused');
      return refusedEntry(res);
    }
    await sessions.start(res, personId);
    recordConsoleEvent(d, personId, 'console.signed_in', {});
    d.log.info({ personId }, 'console sign-in');
    res.redirect(303, '/console/');
  }

  function refusedExport(res: Response): void {
    page(res, 403, messagePage(chrome(sessionOf(res)), 'You cannot export this', ['This export is not for your role. The filtering and blocking log is for the DSL, the deputies, the headteacher and the ICT technician; the reputation log for the reputation lead, the headteacher, the DSL and the deputies; the audit log for the DSL and the deputies; the governors\' report for the DSL, the deputies, the headteacher and the chair of governors.']));
  }

  function csrfRefused(res: Response): void {
    page(res, 403, messagePage(chrome(), 'This form cannot be accepted', [
      'It has expired, or it did not come from the case console. Nothing was changed.',
      'Go back, reload the page and try again.',
    ]));
  }

  // Everything below needs a signed-in person whose roles still let them in.
  router.use(async (req, res, next) => {
    const read = await sessions.read(req, res);
    if ('expired' in read) return res.redirect(303, '/console/sign-in?expired');
    if ('none' in read) return res.redirect(303, '/console/sign-in');
    if (!mayEnterConsole(d.directory, read.session.p)) {
      sessions.end(res);
      return refusedEntry(res);
    }
    if (req.method === 'POST' && !sessions.csrfValid(read.session, (req.body as Record<string, unknown> | undefined)?._csrf)) {
      d.log.warn({ personId: read.session.p, path: req.path }, 'console form refused: CSRF token missing or wrong');
      return csrfRefused(res);
    }
    res.locals.session = read.session;
    return next();
  });
  const sessionOf = (res: Response) => res.locals.session as Session;

  router.post('/sign-out', (_req, res) => {
    recordConsoleEvent(d, sessionOf(res).p, 'console.signed_out', {});
    sessions.end(res);
    res.redirect(303, '/console/sign-in?out');
  });

  router.get('/', (req, res) => {
    const session = sessionOf(res);
    const filters = filtersSchema.parse(req.query);
    const entries = caseQueue(d, session.p, filters);
    const rules = [...new Set(d.workflow.policy.rules.map((r) => r.id))];
    page(res, 200, queuePage(chrome(session), { entries, filters, rules, timeZone: d.directory.timeZone, filteringLog: mayExportFilteringLog(d.directory, session.p), auditLog: mayExportAuditLog(d.directory, session.p), reputationLog: mayExportReputationLog(d.directory, session.p), governorsReport: mayGetGovernorsReport(d, session.p) }));
  });

  mountExports(
    router,
    { ...d, policy: d.workflow.policy, forbidden: refusedExport, badRequest: (res, message) => page(res, 400, messagePage(chrome(sessionOf(res)), 'That cannot be done', [message])) },
    sessionOf,
  );

  const showCase = (req: Request, res: Response, status = 200, problem?: { form: string; message: string; issues: FieldIssue[] }) => {
    const session = sessionOf(res);
    const reportId = String(req.params.id);
    try {
      const view = d.workflow.view({ reportId, actorId: session.p });
      const details = reportDetailsView(view, d.directory, d.directory.timeZone);
      const actions = caseActions(d, view.reportId, session.p);
      const notice = req.query.done === 'decided' ? 'The decision is recorded.' : req.query.done === 'closed' ? 'The case is closed.' : req.query.done === 'blocked' ? 'The block is recorded.' : req.query.done === 'noted' ? 'Added to the case.' : req.query.done === 'reopened' ? 'The case is open again.' : undefined;
      const related = view.access === 'full' ? relatedCases(d, d.allCases(), view.reportId, session.p, d.identities.identities()) : [];
      const body = casePage(chrome(session), { view, details, actions, related, retention: d.retention !== undefined && d.directory.rolesOf(session.p).includes('dsl'), csrf: sessions.csrfToken(session), timeZone: d.directory.timeZone, ...(problem ? { problem } : {}), ...(notice ? { notice } : {}) });
      page(res, status, body);
    } catch (err) {
      refusal(res, session, err);
    }
  };

  /**
   * The console's one place for a request it will not do: a DomainError in words (404, 403,
   * else 400), and anything else thrown by bad input (a body the parser refuses, a
   * malformed address or field) a 4xx page that says nothing was changed. Only a fault of
   * the server itself is a 500, logged by its code (never the request's text).
   */
  function refusal(res: Response, session: Session | undefined, err: unknown, what: 'case' | 'person' = 'case'): void {
    const c = session ? chrome(session) : chrome();
    if (!(err instanceof DomainError)) {
      const status = badRequestStatus(err);
      if (status === undefined) {
        d.log.error({ ...(session ? { personId: session.p } : {}), code: (err as { code?: string }).code ?? (err as Error | undefined)?.name ?? 'unknown' }, 'console request failed');
        return page(res, 500, messagePage(c, 'Something went wrong', ['The console could not do this. Nothing was changed by this request.', 'Try again; if it keeps happening, tell the school IT administrator.']));
      }
      return page(res, status, messagePage(c, 'That cannot be done', [
        status === 413 ? 'The form was too large (too much text, or too many fields). Nothing was changed.' : 'The request was not one the console sends (a field missing, repeated, malformed or in an unknown encoding). Nothing was changed.',
        'Go back, reload the page and try again.',
      ]));
    }
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'FORBIDDEN' ? 403 : 400;
    const title = status === 404 ? (what === 'person' ? 'No such person' : 'No such case') : status === 403 ? (what === 'person' ? 'You cannot see this person' : 'You cannot see this case') : 'That cannot be done';
    const forbidden = what === 'person' ? 'You may see none of the cases about this person, so nothing about them is shown. The attempt has been recorded.' : 'This case was not sent to you, so it is not shown. The attempt has been recorded.';
    page(res, status, messagePage(c, title, [status === 403 ? forbidden : wordsForError(err)]));
  }

  router.get('/cases/:id', (req, res) => showCase(req, res));

  // The case as a PDF (for a referral or a transfer): only the whole record, for those who see it; audited.
  router.get('/cases/:id/export.pdf', async (req, res) => {
    const session = sessionOf(res);
    try {
      const view = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      if (view.access !== 'full') throw new DomainError('FORBIDDEN', 'only the whole record is exported');
      const details = reportDetailsView(view, d.directory, d.directory.timeZone);
      // PDFKit and its fonts load with the first PDF made, not at start (see console-exports).
      const { casePdf } = await import('../views/case-pdf.js');
      const pdf = await casePdf(view, details, { schoolName: d.schoolName, exportedBy: d.directory.displayName(session.p), exportedAt: formatLocal(d.clock(), d.directory.timeZone), timeZone: d.directory.timeZone });
      recordConsoleEvent(d, session.p, 'console.exported', { export: 'case_pdf' }, view.reportId);
      d.log.info({ personId: session.p, reportId: view.reportId }, 'console export: case PDF');
      res.set('Content-Disposition', `attachment; filename="${view.reference}.pdf"`);
      res.type('application/pdf').send(pdf);
    } catch (err) {
      refusal(res, session, err);
    }
  });

  router.get('/cases/:id/evidence/:evidenceId', async (req, res) => {
    const session = sessionOf(res);
    try {
      const file = await viewEvidence(d, { reportId: String(req.params.id), evidenceId: String(req.params.evidenceId), actorId: session.p });
      d.log.info({ personId: session.p, reportId: String(req.params.id), evidenceId: String(req.params.evidenceId) }, 'console evidence viewed');
      res.set({ 'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox", 'Content-Disposition': 'inline' });
      res.type(file.mediaType).send(file.bytes);
    } catch (err) {
      refusal(res, session, err);
    }
  });

  const act = (form: string, run: (session: Session, reportId: string, body: unknown) => void, done: string) => (req: Request, res: Response) => {
    const session = sessionOf(res);
    const reportId = String(req.params.id);
    try {
      run(session, reportId, req.body);
      res.redirect(303, `/console/cases/${encodeURIComponent(reportId)}?done=${done}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') return refusal(res, session, err);
      const status = err.code === 'ALREADY_DONE' || err.code === 'REPORT_CLOSED' || err.code === 'DUTIES_PENDING' ? 409 : 400;
      const dutyId = z.object({ dutyId: z.string() }).catch({ dutyId: '' }).parse(req.body).dutyId;
      return showCase(req, res, status, { form: ['close', 'note', 'reopen'].includes(form) ? form : `${form}-${dutyId}`, message: wordsForError(err), issues: err.issues });
    }
  };

  router.post(
    '/cases/:id/decide',
    act('decide', (session, reportId, body) => {
      const b = formBody(decideSchema, body);
      d.workflow.recordDecision({ reportId, actorId: session.p, ...(b.dutyId ? { dutyId: b.dutyId } : {}), choice: b.choice, reason: b.reason });
    }, 'decided'),
  );

  router.post(
    '/cases/:id/task',
    act('task', (session, reportId, body) => {
      const b = formBody(taskSchema, body);
      d.workflow.completeTask({ reportId, actorId: session.p, ...(b.dutyId ? { dutyId: b.dutyId } : {}), action: b.action });
    }, 'blocked'),
  );

  router.post(
    '/cases/:id/close',
    act('close', (session, reportId, body) => {
      const b = formBody(closeSchema, body);
      d.workflow.close({ reportId, actorId: session.p, outcome: b.outcome, reason: b.reason });
    }, 'closed'),
  );

  router.post(
    '/cases/:id/note',
    act('note', (session, reportId, body) => {
      const b = formBody(noteSchema, body);
      d.workflow.addNote({ reportId, actorId: session.p, what: b.what, text: b.text, externalRef: b.externalRef || undefined });
    }, 'noted'),
  );

  router.post(
    '/cases/:id/reopen',
    act('reopen', (session, reportId, body) => {
      d.workflow.reopen({ reportId, actorId: session.p, reason: formBody(reopenSchema, body).reason });
    }, 'reopened'),
  );

  mountPeople(router, { workflow: d.workflow, directory: d.directory, store: d.store, clock: d.clock, identities: d.identities, allCases: d.allCases, chrome, csrf: (s) => sessions.csrfToken(s), sessionOf, refusal });

  if (d.retention)
    mountRetention(router, { retention: d.retention, workflow: d.workflow, directory: d.directory, clock: d.clock, chrome, csrf: (s) => sessions.csrfToken(s), sessionOf, refusal, allCases: d.allCases, identities: d.identities, console: d, schoolName: d.schoolName, log: d.log });

  // A body the parser refuses (too large, too many fields, an unknown charset) or an
  // address that does not decode: the same words as any refusal, never Express's default page.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    return refusal(res, res.locals.session as Session | undefined, err);
  });

  d.http.use('/console', router);
}

/** The status for an error that bad input causes (a 4xx), or undefined for a fault of the server. */
function badRequestStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; name?: unknown } | undefined;
  const status = Number(e?.status ?? e?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) return status;
  if (err instanceof z.ZodError || err instanceof URIError) return 400;
  return undefined;
}

/** A form's fields, or a clear refusal (never a 500) when they are not what the form sends. */
function formBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new DomainError('TEXT_TOO_LONG', 'the form has a field that is too long or malformed');
  return parsed.data;
}
