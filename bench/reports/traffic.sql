-- Synthetic hub traffic for the reports benchmark, in the sync queues as the engine records
-- them: every issued outgoing document sent to three agencies (accepted 8 h after its issue
-- day began); each recipient returns 01 after 1 h, then by the document's id 03 (2 h), 04
-- (1 day), 05 and 06 (5 days) or stops earlier; every fifth incoming document arrived over
-- the hub from its sender, and this unit answered it with 01 and 03.
BEGIN;
CREATE TEMP TABLE sent AS
  SELECT d.id, 'out-000.00.00.H34-' || d.id AS mid,
         (unixepoch(d.sort_date) + 8 * 3600) * 1000 AS ms
    FROM documents d WHERE d.register = 'outgoing' AND d.number IS NOT NULL;
CREATE TEMP TABLE codes AS
  SELECT code FROM agencies WHERE code LIKE '000.00.00.%' ORDER BY code;
CREATE TEMP TABLE rcpt AS
  SELECT s.id, s.mid, s.ms, c.code
    FROM sent s JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS n FROM codes) c
      ON c.n IN (s.id % 90, (s.id + 31) % 90, (s.id + 57) % 90);
CREATE INDEX temp.rcpt_id ON rcpt (id);
INSERT INTO sync_outbox (message_id, op, recipients, sha256, size, state, created_ms, sent_ms)
  SELECT mid, 'send', (SELECT group_concat(code) FROM rcpt r WHERE r.id = s.id),
         printf('%064d', 0), 50000, 'sent', ms, ms FROM sent s;
WITH st(code, after_h, upto) AS (VALUES ('01', 1, 0), ('03', 2, 1), ('04', 24, 2),
                                        ('05', 120, 3), ('06', 121, 3))
INSERT INTO sync_received (message_id, hub_seq, sender, kind, business, related, status_code,
                           sha256, size, received_ms, acked)
  SELECT 'st' || st.code || '-' || r.code || '-' || r.mid, 0, r.code, 'status', 'new', r.mid,
         st.code, printf('%064d', 0), 2000, r.ms + st.after_h * 3600000, 1
    FROM rcpt r JOIN st ON st.upto <= (r.id + length(r.code)) % 4;
CREATE TEMP TABLE arrived AS
  SELECT d.id, 'in-' || d.id AS mid, d.sender_code AS sender,
         (unixepoch(d.sort_date) + 9 * 3600) * 1000 AS ms
    FROM documents d
   WHERE d.register = 'incoming' AND d.id % 5 = 0 AND d.sender_code IS NOT NULL;
INSERT INTO sync_received (message_id, hub_seq, sender, kind, business, sha256, size,
                           received_ms, acked)
  SELECT mid, 0, sender, 'edoc', 'new', printf('%064d', 0), 50000, ms, 1 FROM arrived;
INSERT INTO inbox (package_id, kind, sender_code, payload, received_at, document_id, processed_at)
  SELECT mid, 'edoc', sender, '{}', datetime(ms / 1000, 'unixepoch'), id,
         datetime(ms / 1000, 'unixepoch') FROM arrived;
WITH st(code, after_h) AS (VALUES ('01', 0), ('03', 3))
INSERT INTO sync_outbox (message_id, op, related, status_code, recipients, sha256, size, state,
                         created_ms, sent_ms)
  SELECT 'st' || st.code || '-000.00.00.H34-' || a.mid, 'status', a.mid, st.code, '',
         printf('%064d', 0), 2000, 'sent', a.ms + st.after_h * 3600000,
         a.ms + st.after_h * 3600000
    FROM arrived a, st;
COMMIT;
SELECT (SELECT count(*) FROM sync_outbox) AS outbox, (SELECT count(*) FROM sync_received) AS received;
