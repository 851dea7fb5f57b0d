-- Indexes for a database of a million reports (issue 15; numbered 0009: 0007 and 0008 are
-- the DSL digest and case entries, merged first): the open-case queue walks only
-- open reports, in queue order, without a sort (a partial index: `status <> 'closed'`
-- cannot use reports_status); a report's next deadline and a duty's timers are found
-- without scanning every pending timer; pruning finds old sent messages, handled events
-- and idempotency keys by age.
CREATE INDEX reports_open_queue ON reports (submitted_at, reference) WHERE status <> 'closed';
CREATE INDEX timers_by_report ON timers (report_id, status, due_at);
CREATE INDEX timers_by_duty ON timers (duty_id, status);
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE status = 'sent';
CREATE INDEX handled_events_at ON handled_events (handled_at);
CREATE INDEX idempotency_keys_at ON idempotency_keys (created_at);
