import type { Router } from 'express';
import { recordConsoleEvent } from '../core/case-console.js';
import { DomainError } from '../core/errors.js';
import { requireDsl } from '../core/retention.js';
import { formatLocal } from '../core/working-time.js';
import { formatDay } from '../views/answer-labels.js';
import { reportDetailsView } from '../views/message-views.js';
import type { RetentionRouteDeps } from './console-retention.js';

/**
 * A transfer's pack as one PDF (issue 14, item 7), from the retention page of any case in
 * it: every case of the transfer (a case disposed of since is left out: its record is
 * gone), with the one receipt code and deadline. DSL only; each case's export is audited (console.exported).
 */
export function mountTransferPack(router: Router, d: RetentionRouteDeps): void {
  router.get('/cases/:id/retention/transfers/:code/pack.pdf', async (req, res) => {
    const session = d.sessionOf(res);
    try {
      requireDsl(d.directory.rolesOf(session.p));
      const self = d.workflow.view({ reportId: String(req.params.id), actorId: session.p });
      const t = d.retention.transfer(String(req.params.code));
      if (!t || !t.reportIds.includes(self.reportId)) throw new DomainError('NOT_FOUND', 'no transfer of this case has that code');
      const cases = t.reportIds.flatMap((reportId) => {
        try {
          const view = d.workflow.view({ reportId, actorId: session.p });
          if (view.access !== 'full') throw new DomainError('FORBIDDEN', 'only whole records are transferred');
          const details = reportDetailsView(view, d.directory, d.directory.timeZone);
          // A date of birth the DSL recorded (the form's own is among its answers already).
          const r = d.retention.review(view.reference);
          if (r.dateOfBirthFrom === 'dsl' && r.dateOfBirth) details.facts.push({ title: "Pupil's date of birth (recorded by the DSL)", value: formatDay(r.dateOfBirth) });
          details.facts.push({ title: 'Review date', value: `${r.reviewDate} (${r.basis === 'date_of_birth' ? "the pupil's 25th birthday" : "the sending school's rule"})` });
          return [{ view, details }];
        } catch (err) {
          // Disposed of since (its record is gone): not in the pack. Anything else refuses the whole pack.
          if (err instanceof DomainError && err.code === 'NOT_FOUND') return [];
          throw err;
        }
      });
      const at = (iso: string) => formatLocal(new Date(iso), d.directory.timeZone);
      // PDFKit loads with the first PDF, not at start (memory, start-up).
      const { transferPackPdf } = await import('../views/case-pdf.js');
      const pdf = await transferPackPdf(cases, {
        schoolName: d.schoolName,
        toSchool: t.toSchool,
        code: t.code,
        sentAt: at(t.createdAt),
        dueAt: at(t.dueAt),
        exportedBy: d.directory.displayName(session.p),
        exportedAt: at(d.clock().toISOString()),
        timeZone: d.directory.timeZone,
      });
      for (const c of cases) recordConsoleEvent(d.console, session.p, 'console.exported', { export: 'transfer_pack', code: t.code }, c.view.reportId);
      d.log.info({ personId: session.p, reportIds: cases.map((c) => c.view.reportId), code: t.code }, 'console export: transfer pack');
      res.set('Content-Disposition', `attachment; filename="${t.code}.pdf"`);
      res.type('application/pdf').send(pdf);
    } catch (err) {
      d.refusal(res, session, err);
    }
  });
}
