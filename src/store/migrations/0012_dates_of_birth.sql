-- Retention (issue 14, item 7): a pupil's date of birth set or corrected by the DSL on a
-- case's retention page, when the form gave none or gave it wrong. Sealed like the form;
-- the case's review date (the pupil's 25th birthday) follows it. Removed with the case on
-- disposal (the tombstone keeps the review date, not the birth date).

CREATE TABLE case_dates_of_birth (
  report_id     TEXT PRIMARY KEY REFERENCES reports (id),
  date_of_birth TEXT NOT NULL,
  set_by        TEXT NOT NULL,
  set_at        TEXT NOT NULL
);
