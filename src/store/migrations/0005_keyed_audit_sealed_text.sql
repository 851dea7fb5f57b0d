-- The audit log is keyed (issue 9): each entry records the version of the key its HMAC
-- was made with (NULL: an entry from before keys, sealed by a later "audit.keyed" entry),
-- and the head carries its own MAC, so moving it back needs the key.
-- Report text, reasons and actions are encrypted from now on ("sg1:…" values); rows
-- written before stay readable as they are and are sealed at the next start.
ALTER TABLE audit_log ADD COLUMN key_id INTEGER;
ALTER TABLE audit_head ADD COLUMN key_id INTEGER;
ALTER TABLE audit_head ADD COLUMN mac TEXT;
