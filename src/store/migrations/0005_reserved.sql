-- Placeholder so that 0006 is in sequence on this branch. The lead replaces it with the
-- real 0005 (column encryption) when both branches are merged; it changes nothing.
SELECT 1;
