//! Behaviour of the register store through its public API.
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::Connection;
use unicode_normalization::UnicodeNormalization;
use vanthu_domain::{Actor, IncomingState, OutgoingState, ProcessingStep, Secrecy, Urgency};
use vanthu_registry::{
    schema, Error, NewAgency, NewIncoming, NewOutgoing, Register, Registry, SearchQuery, Series,
    DB_FILE,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user("văn thư A");
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn incoming(notation: &str, subject: &str, arrival: &str) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: notation.into(),
        document_date: d("2024-03-01"),
        arrival_date: Some(d(arrival)),
        doc_type: "Công văn".into(),
        subject: subject.into(),
        signer: Some("Mai Tiến Dũng".into()),
        ..Default::default()
    }
}

fn audit_rows(reg: &Registry) -> i64 {
    reg.connection()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn numbers_are_per_register_series_and_year() {
    let (_dir, mut reg) = fresh();
    let a = reg
        .register_incoming(incoming("986/UBND-HCTC", "Về việc A", "2024-12-31"))
        .unwrap();
    let b = reg
        .register_incoming(incoming("987/UBND-HCTC", "Về việc B", "2024-12-31"))
        .unwrap();
    let mut secret = incoming("12/VPCP-M", "Việc mật", "2024-12-31");
    secret.secrecy = Secrecy::Secret;
    let s = reg.register_incoming(secret).unwrap();
    let c = reg
        .register_incoming(incoming("1/UBND-HCTC", "Năm mới", "2025-01-01"))
        .unwrap();
    assert_eq!(
        (
            a.arrival_number,
            b.arrival_number,
            s.arrival_number,
            c.arrival_number
        ),
        (Some(1), Some(2), Some(1), Some(1))
    );
    assert_eq!((a.series, s.series), (Series::Normal, Series::Secret));
    // A clerk reads the secret series' number as such, not as a 1 beside the other 1.
    assert_eq!(
        (a.number_label().as_deref(), s.number_label().as_deref()),
        (Some("1"), Some("M1"))
    );
    let hits = reg.list(&Default::default()).unwrap();
    let label = |id| {
        hits.hits
            .iter()
            .find(|h| h.id == id)
            .unwrap()
            .number_label()
    };
    assert_eq!(
        (label(a.id), label(s.id)),
        ("1".to_owned(), "M1".to_owned())
    );
    assert_eq!((a.year, c.year), (Some(2024), Some(2025)));
    assert_eq!(a.sender.as_deref(), Some("Văn phòng Chính phủ"));
    assert_eq!(a.state.as_str(), "registered");

    let draft = reg
        .create_outgoing(NewOutgoing {
            notation: "QĐ-UBND".into(),
            doc_type: "QĐ".into(),
            subject: "Quyết định phê duyệt kế hoạch".into(),
            recipients: vec!["000.00.00.G09".into(), "Lưu: VT".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!((draft.number, draft.state.as_str()), (None, "draft"));
    assert_eq!(draft.recipients[0].name, "Bộ Nội vụ");
    assert_eq!(draft.recipients[1].agency_code, None);
    let issued = reg.issue_outgoing(draft.id, d("2024-05-06")).unwrap();
    assert_eq!(issued.number, Some(1));
    assert_eq!(issued.notation, "01/QĐ-UBND");
    assert_eq!(issued.document_date, Some(d("2024-05-06")));
    assert!(matches!(
        reg.issue_outgoing(draft.id, d("2024-05-07")),
        Err(Error::InvalidState(_))
    ));
    // Outgoing numbering is independent of incoming numbering.
    assert_eq!(
        reg.next_number(Register::Outgoing, Series::Normal, 2024)
            .unwrap(),
        2
    );
    assert_eq!(
        reg.next_number(Register::Incoming, Series::Normal, 2024)
            .unwrap(),
        3
    );
}

#[test]
fn bad_input_writes_nothing() {
    let (dir, mut reg) = fresh();
    let before = audit_rows(&reg);
    let mut bad = incoming("986/UBND-HCTC", "x", "2024-01-02");
    bad.sender = "000.00.00.Z99".into();
    assert!(matches!(
        reg.register_incoming(bad),
        Err(Error::UnknownAgency(_))
    ));
    let bad = incoming("UBND-HCTC", "x", "2024-01-02");
    assert!(matches!(
        reg.register_incoming(bad),
        Err(Error::Notation(_))
    ));
    let mut bad = incoming("986/UBND-HCTC", "x", "2024-01-02");
    bad.doc_type = "Sắc lệnh".into();
    assert!(matches!(
        reg.register_incoming(bad),
        Err(Error::UnknownType(_))
    ));
    let mut bad = incoming("986/UBND-HCTC", "x", "2024-01-02");
    let pdf = dir.path().join("ok.pdf");
    std::fs::write(&pdf, b"%PDF-1.4 ok").unwrap();
    bad.files = vec![pdf, dir.path().join("missing.pdf")];
    assert!(matches!(
        reg.register_incoming(bad),
        Err(Error::File { .. })
    ));
    assert_eq!(reg.count(None).unwrap(), 0);
    assert_eq!(audit_rows(&reg), before);
    // The first, readable file was not stored for nothing either.
    let stored = walk_files(&dir.path().join("blobs"));
    assert!(stored.is_empty(), "{stored:?}");
    // The failed attempts did not consume numbers.
    let ok = reg
        .register_incoming(incoming("986/UBND-HCTC", "x", "2024-01-02"))
        .unwrap();
    assert_eq!(ok.arrival_number, Some(1));
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn registering_requires_an_initialised_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    assert!(matches!(
        reg.register_incoming(incoming("1/UBND-VP", "x", "2024-01-02")),
        Err(Error::NotInitialised)
    ));
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    assert!(matches!(
        reg.init_unit("000.00.00.H35", "X"),
        Err(Error::AlreadyInitialised(_))
    ));
}

#[test]
fn agencies_resolve_transitional_codes_and_names() {
    let (_dir, mut reg) = fresh();
    assert_eq!(reg.agencies().unwrap().len(), 95);
    assert_eq!(
        reg.resolve_agency("01.01.G22").unwrap().code,
        "000.00.00.G22"
    );
    assert_eq!(
        reg.resolve_agency("000.01.01.G01").unwrap().code,
        "000.00.00.G01"
    );
    assert_eq!(
        reg.resolve_agency("văn phòng chính phủ").unwrap().code,
        "000.00.00.G22"
    );
    assert!(matches!(
        reg.resolve_agency("Văn phòng"),
        Err(Error::UnknownAgency(_))
    ));
    let so = reg
        .add_agency(NewAgency {
            code: "000.00.20.H34".into(),
            name: "Sở Thông tin và Truyền thông tỉnh Kon Tum".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(so.parent_code.as_deref(), Some("000.00.00.H34"));
    let phong = reg
        .add_agency(NewAgency {
            code: "000.03.20.H34".into(),
            name: "Phòng Bưu chính".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(phong.parent_code.as_deref(), Some("000.00.20.H34"));
    assert!(matches!(
        reg.add_agency(NewAgency {
            code: "000.03.20.H34".into(),
            name: "again".into(),
            ..Default::default()
        }),
        Err(Error::DuplicateAgency(_))
    ));
    assert!(matches!(
        reg.add_agency(NewAgency {
            code: "3.20.H34".into(),
            name: "bad".into(),
            ..Default::default()
        }),
        Err(Error::AgencyCode(_))
    ));
    assert_eq!(reg.find_agencies("h34").unwrap().len(), 3);
    assert_eq!(reg.find_agencies("THONG TIN").unwrap().len(), 2);
}

#[test]
fn upgrades_from_every_earlier_schema_version() {
    for start in 0..schema::LATEST {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            schema::migrate_to(&conn, start).unwrap();
            assert_eq!(schema::user_version(&conn).unwrap(), start);
            if start >= 1 {
                // Data written by that older version.
                conn.execute_batch(
                    "INSERT INTO meta VALUES ('unit_code', '000.00.00.H34'), ('unit_name', 'UBND tỉnh Kon Tum');
                     INSERT INTO counters VALUES ('incoming', 'normal', 2024, 1);
                     INSERT INTO documents (register, series, year, number, arrival_date, sender_code, sender_name,
                        notation, document_date, doc_type, subject, urgency, secrecy, state, sort_date, created_at, updated_at)
                     VALUES ('incoming', 'normal', 2024, 1, '2024-02-01', '000.00.00.G22', 'Văn phòng Chính phủ',
                        '2887/VPCP-KSTT', '2024-01-30', 'Công văn', 'Đôn đốc gửi nhận văn bản điện tử',
                        'normal', 'normal', 'registered', '2024-02-01', 't', 't');",
                )
                .unwrap();
            }
            if start >= 3 {
                // That version indexed what it wrote.
                conn.execute_batch(
                    "INSERT INTO doc_fts (rowid, notation, subject, sender, signer, body)
                     VALUES (1, '2887/vpcp-kstt', 'don doc gui nhan van ban dien tu', 'van phong chinh phu', '', '');",
                )
                .unwrap();
            }
        }
        let mut reg = Registry::open(dir.path()).unwrap();
        assert_eq!(
            schema::user_version(reg.connection()).unwrap(),
            schema::LATEST
        );
        if start >= 1 {
            let hits = reg.search(&SearchQuery::text("DON DOC")).unwrap().hits;
            assert_eq!(hits.len(), 1, "from version {start}");
            let next = reg
                .register_incoming(incoming("2/UBND-VP", "tiếp", "2024-03-01"))
                .unwrap();
            assert_eq!(next.arrival_number, Some(2), "from version {start}");
        }
        assert!(reg.audit_verify().unwrap().ok);
    }
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Registry::open(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", schema::LATEST + 1)
        .unwrap();
    drop(conn);
    let err = Registry::open(dir.path()).err().expect("refused");
    assert!(matches!(err, Error::NewerSchema { .. }));
    assert!(err.to_string().contains("newer vanthu"), "{err}");
}

#[test]
fn a_foreign_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    drop(conn);
    assert!(matches!(
        Registry::open(dir.path()),
        Err(Error::NotVanthu(_))
    ));
}

#[test]
fn audit_chain_detects_hand_edits() {
    let (dir, mut reg) = fresh();
    for i in 1..=5 {
        reg.register_incoming(incoming(&format!("{i}/UBND-VP"), "việc", "2024-01-02"))
            .unwrap();
    }
    let report = reg.audit_verify().unwrap();
    assert!(report.ok, "{report:?}");
    let rows = report.rows;
    assert!(rows >= 6);
    // The triggers refuse edits through SQL.
    let conn = reg.connection();
    assert!(conn
        .execute("UPDATE audit_log SET user = 'x' WHERE seq = 3", [])
        .is_err());
    assert!(conn
        .execute("DELETE FROM audit_log WHERE seq = 3", [])
        .is_err());
    assert!(conn
        .execute("UPDATE status_events SET note = 'x'", [])
        .is_err());
    drop(reg);

    // Someone drops the trigger and edits a row by hand.
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail = replace(detail, 'việc', 'chuyện') WHERE seq = 4;",
    )
    .unwrap();
    drop(conn);
    let reg = Registry::open(dir.path()).unwrap();
    let report = reg.audit_verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_broken_seq, Some(4));
    drop(reg);

    // Deleting a row (and re-hashing nothing) is caught too.
    let dir2 = {
        let (dir2, mut reg) = fresh();
        for i in 1..=3 {
            reg.register_incoming(incoming(&format!("{i}/UBND-VP"), "việc", "2024-01-02"))
                .unwrap();
        }
        dir2
    };
    let conn = Connection::open(dir2.path().join(DB_FILE)).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;")
        .unwrap();
    drop(conn);
    let report = Registry::open(dir2.path()).unwrap().audit_verify().unwrap();
    assert_eq!((report.ok, report.first_broken_seq), (false, Some(2)));
}

#[test]
fn search_is_folded_ranked_filtered_and_paged() {
    let (_dir, mut reg) = fresh();
    let qd = reg
        .register_incoming(NewIncoming {
            doc_type: "QĐ".into(),
            notation: "28/2018/QĐ-TTg".into(),
            ..incoming(
                "x/x",
                "Quyết định về gửi, nhận văn bản điện tử",
                "2024-02-01",
            )
        })
        .unwrap();
    let de_an = reg
        .register_incoming(incoming(
            "5/UBND-KT",
            "Đề án phát triển đô thị",
            "2024-02-02",
        ))
        .unwrap();
    let mut urgent = incoming("7/UBND-KT", "Báo cáo tình hình dịch bệnh", "2024-03-05");
    urgent.urgency = Urgency::Flash;
    urgent.sender = "000.00.00.G18".into();
    let urgent = reg.register_incoming(urgent).unwrap();

    for q in [
        "quyet dinh",
        "QUYẾT ĐỊNH",
        "Quyết định",
        &"Quyết định".nfd().collect::<String>(),
    ] {
        let hits = reg.search(&SearchQuery::text(q)).unwrap().hits;
        assert_eq!(
            hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![qd.id],
            "{q:?}"
        );
    }
    for q in ["de an", "ĐỀ ÁN", "đề án", "do thi"] {
        let hits = reg.search(&SearchQuery::text(q)).unwrap().hits;
        assert_eq!(
            hits.iter().map(|h| h.id).collect::<Vec<_>>(),
            vec![de_an.id],
            "{q:?}"
        );
    }
    // Notation, sender and signer are searchable.
    assert_eq!(
        reg.search(&SearchQuery::text("28/2018/QĐ-TTg"))
            .unwrap()
            .hits[0]
            .id,
        qd.id
    );
    assert_eq!(
        reg.search(&SearchQuery::text("bo y te")).unwrap().hits[0].id,
        urgent.id
    );
    assert_eq!(
        reg.search(&SearchQuery::text("mai tien dung"))
            .unwrap()
            .hits
            .len(),
        3
    );

    // Filters.
    let q = SearchQuery {
        urgency: Some(Urgency::Flash),
        ..Default::default()
    };
    assert_eq!(reg.list(&q).unwrap().hits.len(), 1);
    let q = SearchQuery {
        sender: Some("Bộ Y tế".into()),
        ..Default::default()
    };
    assert_eq!(reg.list(&q).unwrap().hits[0].id, urgent.id);
    let q = SearchQuery {
        text: "mai tien dung".into(),
        date_from: Some(d("2024-02-02")),
        date_to: Some(d("2024-02-28")),
        ..Default::default()
    };
    assert_eq!(reg.search(&q).unwrap().hits[0].id, de_an.id);
    let q = SearchQuery {
        doc_type: Some("Quyết định".into()),
        ..Default::default()
    };
    assert_eq!(reg.list(&q).unwrap().hits[0].id, qd.id);
    let q = SearchQuery {
        register: Some(Register::Outgoing),
        ..Default::default()
    };
    assert!(reg.list(&q).unwrap().hits.is_empty());

    // Ranking: a match in the subject twice ranks above one in the body only.
    let strong = reg
        .register_incoming(incoming(
            "9/UBND-KT",
            "Kế hoạch kiểm tra, kiểm tra công vụ",
            "2024-04-01",
        ))
        .unwrap();
    let weak = reg
        .register_incoming(NewIncoming {
            body_text: Some("nội dung có nhắc tới kiểm tra".into()),
            ..incoming("10/UBND-KT", "Thông báo lịch họp", "2024-04-01")
        })
        .unwrap();
    let hits = reg.search(&SearchQuery::text("kiem tra")).unwrap().hits;
    assert_eq!(
        hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![strong.id, weak.id]
    );
}

#[test]
fn keyset_pagination_visits_every_hit_once() {
    let (_dir, mut reg) = fresh();
    let items = (1..=45)
        .map(|i| {
            (
                i as u64,
                incoming(
                    &format!("{i}/UBND-VP"),
                    // Identical subjects: every hit ties on score, the cursor must still
                    // visit each exactly once.
                    if i % 3 == 0 {
                        "Giấy mời họp giao ban"
                    } else {
                        "Giấy mời họp"
                    },
                    &format!("2024-01-{:02}", 1 + i % 28),
                ),
            )
        })
        .collect();
    reg.import_incoming(items).unwrap();
    // Small pages make one tie group span several pages.
    for (text, limit) in [("giay moi", 20), ("", 20), ("giay moi", 7), ("giay moi", 1)] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = reg
                .search(&SearchQuery {
                    text: text.into(),
                    limit,
                    cursor: cursor.clone(),
                    ..Default::default()
                })
                .unwrap();
            pages += 1;
            seen.extend(page.hits.iter().map(|h| h.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(pages, 45usize.div_ceil(limit), "{text:?} {limit}");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 45, "{text:?}");
        assert_eq!(seen.len(), 45);
    }
    assert!(matches!(
        reg.search(&SearchQuery {
            cursor: Some("nonsense".into()),
            ..Default::default()
        }),
        Err(Error::BadCursor)
    ));
}

#[test]
fn search_ranks_within_windows_of_recent_matches() {
    let (_dir, mut reg) = fresh();
    // Ids 1..=30: the oldest (id 1) matches strongly (the word in notation and subject twice),
    // every other one weakly (once, in the subject).
    let items = (1..=30)
        .map(|i| {
            let subject = if i == 1 {
                "Kiểm tra, kiểm tra công vụ"
            } else {
                "Thông báo kết quả kiểm tra"
            };
            let notation = if i == 1 { "1/KTRA-VP" } else { "x/UBND-VP" };
            let notation = notation.replace('x', &i.to_string());
            (i as u64, incoming(&notation, subject, "2024-03-01"))
        })
        .collect();
    reg.import_incoming(items).unwrap();
    let newest = |reg: &Registry, limit| {
        reg.search(&SearchQuery {
            text: "kiem tra".into(),
            limit,
            ..Default::default()
        })
        .unwrap()
    };
    // One window holding every match: the strongest match comes first, however old.
    let all = newest(&reg, 5).hits;
    assert_eq!(all[0].arrival_number, Some(1));
    // Windows of 10 matches: the first page ranks the 10 newest (equal scores: newest first);
    // the old strong match leads its own, last, window.
    reg.set_search_window(10);
    let first = newest(&reg, 5).hits;
    assert_eq!(
        first.iter().map(|h| h.arrival_number).collect::<Vec<_>>(),
        [30, 29, 28, 27, 26].map(Some)
    );
    // Paging crosses windows and visits every match exactly once, in window order.
    for limit in [1, 4, 7, 30] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = reg
                .search(&SearchQuery {
                    text: "kiem tra".into(),
                    limit,
                    cursor: cursor.clone(),
                    ..Default::default()
                })
                .unwrap();
            assert!(page.hits.len() == limit || page.next_cursor.is_none());
            seen.extend(page.hits.iter().map(|h| h.arrival_number.unwrap()));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut expected: Vec<u32> = (21..=30).rev().chain((11..=20).rev()).collect();
        expected.extend([1]);
        expected.extend((2..=10).rev());
        assert_eq!(seen, expected, "limit {limit}");
    }
    // A filter applies before the window is cut: the 10 newest matches of the filter.
    let q = SearchQuery {
        text: "kiem tra".into(),
        date_to: Some(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()),
        limit: 30,
        ..Default::default()
    };
    assert_eq!(reg.search(&q).unwrap().hits.len(), 30);
}

#[test]
fn status_events_number_on_registration_and_feed_the_outbox() {
    let (_dir, mut reg) = fresh();
    let mut from_hub = incoming("15/VPCP-KSTT", "Văn bản điện tử", "2024-06-01");
    from_hub.edxml_document_id = Some("doc-abc-1".into());
    let rec = reg.receive_incoming(from_hub.clone()).unwrap();
    assert_eq!((rec.state.as_str(), rec.arrival_number), ("arrived", None));
    let ev = reg
        .append_status_event(rec.id, IncomingState::Registered, Actor::Clerk, None)
        .unwrap();
    assert_eq!(ev.codes, vec!["03"]);
    let rec = reg.get(rec.id).unwrap();
    assert_eq!(
        (rec.state.as_str(), rec.arrival_number),
        ("registered", Some(1))
    );
    reg.append_status_event(
        rec.id,
        IncomingState::Assigned,
        Actor::Leader,
        Some("Phòng KT"),
    )
    .unwrap();
    assert!(matches!(
        reg.append_status_event(rec.id, IncomingState::Registered, Actor::Clerk, None),
        Err(Error::Transition(_))
    ));
    let events = reg.status_events(rec.id).unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| e.to_state.as_str())
            .collect::<Vec<_>>(),
        vec!["arrived", "registered", "assigned"]
    );
    let outbox = reg.pending_outbox(10).unwrap();
    assert_eq!(
        outbox
            .iter()
            .map(|o| o.payload["status_code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["03", "04"]
    );
    assert_eq!(outbox[0].recipient_code.as_deref(), Some("000.00.00.G22"));
    reg.mark_outbox_sent(outbox[0].id).unwrap();
    assert_eq!(reg.pending_outbox(10).unwrap().len(), 1);

    // A secret document never reaches the outbox.
    let mut secret = from_hub;
    secret.secrecy = Secrecy::Confidential;
    secret.edxml_document_id = Some("doc-abc-2".into());
    let s = reg.receive_incoming(secret).unwrap();
    reg.append_status_event(s.id, IncomingState::Registered, Actor::Clerk, None)
        .unwrap();
    assert_eq!(reg.pending_outbox(10).unwrap().len(), 1);
    assert!(matches!(
        reg.enqueue_outbox(
            "edoc",
            Some(s.id),
            Some("000.00.00.G22"),
            &serde_json::json!({})
        ),
        Err(Error::SecretNotSendable)
    ));

    // Inbox deduplicates package ids.
    assert!(reg
        .record_inbox("pkg-1", "edoc", None, &serde_json::json!({}))
        .unwrap()
        .is_some());
    assert!(reg
        .record_inbox("pkg-1", "edoc", None, &serde_json::json!({}))
        .unwrap()
        .is_none());
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn processing_steps_from_the_desktop_queue_the_senders_statuses() {
    let (_dir, mut reg) = fresh();
    let mut from_hub = incoming("88/VPCP-KSTT", "Về việc xử lý trên máy", "2024-03-02");
    from_hub.edxml_document_id = Some("doc-steps-1".into());
    let doc = reg.receive_incoming(from_hub).unwrap();
    let step = |to, actor| ProcessingStep { to, actor };
    let codes = |reg: &Registry| -> Vec<String> {
        reg.pending_outbox(20)
            .unwrap()
            .iter()
            .map(|o| o.payload["status_code"].as_str().unwrap().to_owned())
            .collect()
    };
    let offered: Vec<String> = reg
        .offered_actions(doc.id)
        .unwrap()
        .into_iter()
        .map(|o| o.label)
        .collect();
    assert_eq!(offered, ["Vào sổ", "Từ chối", "Phân công"]);
    let audit_before = audit_rows(&reg);
    // Refused with nothing written: a rejection without a reason, an assignment without a
    // handler, a step the state does not offer.
    for (s, note, handler) in [
        (
            step(IncomingState::Rejected, Actor::Clerk),
            Some("  "),
            None,
        ),
        (
            step(IncomingState::Assigned, Actor::Leader),
            Some("Giao"),
            Some(" "),
        ),
        (step(IncomingState::Completed, Actor::Handler), None, None),
        (step(IncomingState::Registered, Actor::Leader), None, None),
    ] {
        assert!(
            reg.process_incoming(doc.id, s, note, handler).is_err(),
            "{s:?}"
        );
    }
    assert_eq!(audit_rows(&reg), audit_before);
    assert_eq!(reg.get(doc.id).unwrap().state.as_str(), "arrived");
    assert!(codes(&reg).is_empty());

    reg.process_incoming(
        doc.id,
        step(IncomingState::Registered, Actor::Clerk),
        None,
        None,
    )
    .unwrap();
    assert_eq!(reg.get(doc.id).unwrap().number, Some(1));
    let e = reg
        .process_incoming(
            doc.id,
            step(IncomingState::Assigned, Actor::Leader),
            Some("Giao Văn phòng chủ trì"),
            Some(" Văn phòng UBND tỉnh "),
        )
        .unwrap();
    assert_eq!(e.note.as_deref(), Some("Giao Văn phòng chủ trì"));
    let rec = reg.get(doc.id).unwrap();
    assert_eq!(
        (rec.state.as_str(), rec.handler.as_deref()),
        ("assigned", Some("Văn phòng UBND tỉnh"))
    );
    assert!(rec.passed_on_date.is_some());
    // Tra cứu by handler: a part of the name finds it, another handler does not.
    let by_handler = |h: &str| {
        reg.list(&SearchQuery {
            handler: Some(h.into()),
            ..Default::default()
        })
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect::<Vec<_>>()
    };
    assert_eq!(by_handler("Văn phòng UBND"), vec![doc.id]);
    assert!(by_handler("Phòng Kinh tế").is_empty());
    reg.process_incoming(
        doc.id,
        step(IncomingState::InProgress, Actor::Handler),
        None,
        None,
    )
    .unwrap();
    reg.process_incoming(
        doc.id,
        step(IncomingState::Completed, Actor::Handler),
        None,
        None,
    )
    .unwrap();
    assert_eq!(codes(&reg), ["03", "04", "05", "06"]);
    // Completed: nothing left to offer; an outgoing document never offers these.
    assert!(reg.offered_actions(doc.id).unwrap().is_empty());
    let out = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Đi".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(reg.offered_actions(out.id).unwrap().is_empty());
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn a_hub_package_becomes_a_document_with_its_inbox_mark_once() {
    let (_dir, mut reg) = fresh();
    let inbox_id = reg
        .record_inbox(
            "pkg-9",
            "edoc",
            Some("000.00.00.G22"),
            &serde_json::json!({}),
        )
        .unwrap()
        .unwrap();
    let mut new = incoming("12/UBND-VP", "Về việc không có DocumentId", "2024-03-01");
    new.sender = "000.00.00.G22".into();
    let doc = reg
        .receive_incoming_from_inbox(inbox_id, new.clone())
        .unwrap();
    assert_eq!(reg.document_for_package("pkg-9").unwrap(), Some(doc.id));
    assert!(reg.pending_inbox(10).unwrap().is_empty());
    assert_eq!(
        reg.packages_of_document(doc.id).unwrap(),
        vec![("pkg-9".to_owned(), Some("000.00.00.G22".to_owned()))]
    );
    // The same inbox row again (a retried round): refused, no second document.
    let before = reg.count(None).unwrap();
    assert!(matches!(
        reg.receive_incoming_from_inbox(inbox_id, new),
        Err(Error::InvalidState(_))
    ));
    assert_eq!(reg.count(None).unwrap(), before);
    // Without an edXML DocumentId, the clerk's registration still answers the sender: the
    // inbox row says the document came through the hub.
    reg.append_status_event(doc.id, IncomingState::Registered, Actor::Clerk, None)
        .unwrap();
    let outbox = reg.pending_outbox(10).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].payload["status_code"], "03");
    assert!(outbox[0].payload["edxml_document_id"].is_null());
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn outgoing_states_follow_the_sender_machine() {
    let (_dir, mut reg) = fresh();
    let o = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Về việc X".into(),
            issue_date: Some(d("2024-02-03")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (o.state.as_str(), o.notation.as_str()),
        ("issued", "01/UBND-VP")
    );
    reg.set_outgoing_state(o.id, OutgoingState::Ready, None)
        .unwrap();
    assert!(matches!(
        reg.set_outgoing_state(o.id, OutgoingState::Recalled, None),
        Err(Error::InvalidState(_))
    ));
    let m = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Mật".into(),
            secrecy: Secrecy::TopSecret,
            issue_date: Some(d("2024-02-03")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((m.series, m.number), (Series::Secret, Some(1)));
    assert!(matches!(
        reg.set_outgoing_state(m.id, OutgoingState::Ready, None),
        Err(Error::SecretNotSendable)
    ));
}

#[test]
fn attachments_are_content_addressed_and_deduplicated() {
    let (dir, mut reg) = fresh();
    let pdf = dir.path().join("cv.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n% same content\n").unwrap();
    let mut new = incoming("1/UBND-VP", "có tệp", "2024-01-02");
    new.files = vec![pdf.clone()];
    let a = reg.register_incoming(new.clone()).unwrap();
    new.notation = "2/UBND-VP".into();
    let b = reg.register_incoming(new).unwrap();
    assert_eq!(a.attachments.len(), 1);
    assert_eq!(a.attachments[0].sha256, b.attachments[0].sha256);
    assert_eq!(a.attachments[0].media_type, "application/pdf");
    assert_eq!(a.attachments[0].file_name, "cv.pdf");
    let stored = walk_files(&dir.path().join("blobs"));
    assert_eq!(stored.len(), 1);
    assert_eq!(
        std::fs::read(&stored[0]).unwrap(),
        std::fs::read(&pdf).unwrap()
    );
    let extra = reg
        .add_attachment_bytes(a.id, "phu-luc.txt", b"phu luc")
        .unwrap();
    assert_eq!(extra.media_type, "text/plain");
    assert_eq!(reg.get(a.id).unwrap().attachments.len(), 2);
    assert_eq!(
        std::fs::read(reg.attachment_path(&extra)).unwrap(),
        b"phu luc"
    );
}

/// A large import (the bulk path drops and re-creates the register's listing indexes inside
/// its transaction): a bad row in the middle leaves the register exactly as it was, indexes
/// included; a good import numbers every row, indexes and audits each one, and the chain
/// verifies.
#[test]
fn large_csv_import_is_all_or_nothing_and_audited_row_by_row() {
    const ROWS: usize = 12_000;
    let (dir, mut reg) = fresh();
    reg.register_incoming(incoming("1/UBND-VP", "Văn bản có trước", "2024-01-02"))
        .unwrap();
    let schema = |reg: &Registry| -> Vec<(String, String)> {
        reg.connection()
            .prepare("SELECT name, ifnull(sql, '') FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let state = |reg: &Registry| -> (i64, i64, i64, i64, i64) {
        reg.connection()
            .query_row(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM status_events),
                        (SELECT count(*) FROM audit_log), (SELECT count(*) FROM doc_fts),
                        (SELECT ifnull(sum(last_number), 0) FROM counters)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap()
    };
    let before_schema = schema(&reg);
    let before = state(&reg);
    let csv = |bad_line: Option<usize>| {
        let mut text = String::from("arrival_date,sender,notation,date,type,subject,secrecy\n");
        for i in 0..ROWS {
            // Line numbers: the header is line 1, row i is line i + 2.
            let sender = if Some(i + 2) == bad_line {
                "Bộ Không Có"
            } else {
                "000.00.00.G22"
            };
            let secrecy = if i % 10 == 0 { "mật" } else { "" };
            text.push_str(&format!(
                "2024-02-{:02},{sender},{n}/UBND-VP,2024-02-01,Công văn,Về việc số {n} của đợt nhập,{secrecy}\n",
                1 + i * 28 / ROWS,
                n = i + 1
            ));
        }
        text
    };
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, csv(Some(7_001))).unwrap();
    let err = reg.import_incoming_csv(&bad).unwrap_err();
    assert!(matches!(err, Error::ImportRow { line: 7_001, .. }), "{err}");
    assert_eq!(state(&reg), before);
    assert_eq!(schema(&reg), before_schema);
    assert!(reg.audit_verify().unwrap().ok);
    // A row that does not parse (found while earlier rows are being written), after the
    // unknown sender of line 7 001: the first bad line is the one reported.
    let text = csv(Some(7_001)).replace(
        "2024-02-01,Công văn,Về việc số 9000 ",
        "31/02/2024,Công văn,Về việc số 9000 ",
    );
    std::fs::write(&bad, &text).unwrap();
    let err = reg.import_incoming_csv(&bad).unwrap_err();
    assert!(matches!(err, Error::ImportRow { line: 7_001, .. }), "{err}");
    std::fs::write(
        &bad,
        csv(None).replace(
            "2024-02-01,Công văn,Về việc số 9000 ",
            "31/02/2024,Công văn,Về việc số 9000 ",
        ),
    )
    .unwrap();
    let err = reg.import_incoming_csv(&bad).unwrap_err();
    assert!(matches!(err, Error::ImportRow { line: 9_001, .. }), "{err}");
    assert_eq!(state(&reg), before);
    assert_eq!(schema(&reg), before_schema);

    let good = dir.path().join("good.csv");
    std::fs::write(&good, csv(None)).unwrap();
    let summary = reg.import_incoming_csv(&good).unwrap();
    assert_eq!(summary.imported, ROWS as u64);
    let n = ROWS as i64;
    assert_eq!(
        state(&reg),
        (
            before.0 + n,
            before.1 + n,
            before.2 + n,
            before.3 + n,
            before.4 + n
        )
    );
    assert_eq!(schema(&reg), before_schema);
    let report = reg.audit_verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows as i64, before.2 + n);
    // Numbers continue the series that existed before the import, per series.
    let first = reg.get(summary.ids[0]).unwrap();
    assert_eq!(
        (first.series, first.arrival_number),
        (Series::Secret, Some(1))
    );
    let second = reg.get(summary.ids[1]).unwrap();
    assert_eq!(
        (second.series, second.arrival_number),
        (Series::Normal, Some(2))
    );
    let last = reg.get(*summary.ids.last().unwrap()).unwrap();
    assert_eq!(last.arrival_number, Some((ROWS - ROWS / 10) as u32 + 1));
    // Each row has its audit entry (with its number) and its search-index row.
    let entry = reg
        .audit_entries(Some("document"), Some(&summary.ids[1].to_string()), 1)
        .unwrap();
    assert_eq!(entry[0].action, "incoming.register");
    assert_eq!(entry[0].detail["number"], 2);
    let hits = reg
        .search(&SearchQuery::text("ve viec so 12000 cua dot nhap"))
        .unwrap();
    assert_eq!(hits.hits.len(), 1);
    assert_eq!(hits.hits[0].id, *summary.ids.last().unwrap());
    // The next registration continues the series.
    let next = reg
        .register_incoming(incoming("9/UBND-VP", "Sau đợt nhập", "2024-03-01"))
        .unwrap();
    assert_eq!(next.arrival_number, Some(last.arrival_number.unwrap() + 1));
    assert!(reg.audit_verify().unwrap().ok);
}

#[test]
fn csv_import_is_all_or_nothing_and_round_trips_through_export() {
    let (dir, mut reg) = fresh();
    let good = dir.path().join("den.csv");
    std::fs::write(
        &good,
        "\u{feff}arrival_date,sender,notation,date,type,subject,signer,urgency,secrecy,deadline,notes\n\
         02/01/2024,Văn phòng Chính phủ,986/UBND-HCTC,28/12/2023,Công văn,\"Về việc A, B\",Nguyễn Văn A,khẩn,,15/01/2024,\n\
         2024-01-03,01.01.G22,12/QĐ-TTg,2024-01-02,QĐ,Quyết định C,,,mật,,ghi chú\n",
    )
    .unwrap();
    let summary = reg.import_incoming_csv(&good).unwrap();
    assert_eq!(summary.imported, 2);
    let first = reg.get(summary.ids[0]).unwrap();
    assert_eq!(first.urgency, Urgency::Urgent);
    assert_eq!(first.subject, "Về việc A, B");
    let second = reg.get(summary.ids[1]).unwrap();
    assert_eq!(
        (second.series, second.arrival_number),
        (Series::Secret, Some(1))
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "arrival_date,sender,notation,date,type,subject\n\
         2024-01-04,000.00.00.G22,1/A-B,2024-01-04,Công văn,ok\n\
         2024-01-04,000.00.00.G22,2/A-B,2024-01-04,Công văn,ok\n\
         2024-01-04,Bộ Không Có,3/A-B,2024-01-04,Công văn,bad sender\n",
    )
    .unwrap();
    let err = reg.import_incoming_csv(&bad).unwrap_err();
    assert!(matches!(err, Error::ImportRow { line: 4, .. }), "{err}");
    assert_eq!(reg.count(None).unwrap(), 2);
    let bad_date = dir.path().join("bad2.csv");
    std::fs::write(
        &bad_date,
        "arrival_date,sender,notation,date,type,subject\n2024-01-04,000.00.00.G22,1/A-B,31/02/2024,Công văn,x\n",
    )
    .unwrap();
    assert!(matches!(
        reg.import_incoming_csv(&bad_date),
        Err(Error::ImportRow { line: 2, .. })
    ));

    // Export, then import into a fresh unit: same register.
    let mut out = Vec::new();
    assert_eq!(
        reg.export_csv(Register::Incoming, None, &mut out).unwrap(),
        2
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("Ngày đến,Số đến,Tác giả"), "{text}");
    let (dir2, mut reg2) = fresh();
    let exported = dir2.path().join("export.csv");
    std::fs::write(&exported, &text).unwrap();
    reg2.import_incoming_csv(&exported).unwrap();
    let mut again = Vec::new();
    reg2.export_csv(Register::Incoming, None, &mut again)
        .unwrap();
    assert_eq!(String::from_utf8(again).unwrap(), text);

    // Outgoing: full numbers must continue the series.
    let out_csv = dir.path().join("di.csv");
    std::fs::write(
        &out_csv,
        "\"Số, ký hiệu văn bản\",Ngày tháng văn bản,Tên loại văn bản,Trích yếu nội dung,Nơi nhận văn bản\n\
         01/UBND-VP,05/01/2024,Công văn,Về việc D,000.00.00.G09; Lưu: VT\n\
         02/QĐ-UBND,06/01/2024,QĐ,Quyết định E,\n",
    )
    .unwrap();
    let s = reg.import_outgoing_csv(&out_csv).unwrap();
    assert_eq!(reg.get(s.ids[1]).unwrap().notation, "02/QĐ-UBND");
    let gap = dir.path().join("gap.csv");
    std::fs::write(
        &gap,
        "notation,date,type,subject\n07/UBND-VP,07/01/2024,Công văn,gap\n",
    )
    .unwrap();
    assert!(matches!(
        reg.import_outgoing_csv(&gap),
        Err(Error::ImportRow { line: 2, .. })
    ));
    assert!(reg.audit_verify().unwrap().ok);
}

/// Migration 11: a status package queued in the old `edXML:Status` form and never tried is
/// rewritten in the official form (the official StatusXmlParser finds no header in the old
/// one); one already tried, which the hub may hold under its id, is left as it was.
#[test]
fn migration_11_rewrites_untried_old_status_packages() {
    const OLD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
   <edXML:Status>
    <edXML:ResponseFor>
     <edXML:OrganId>000.00.00.H34</edXML:OrganId>
     <edXML:DocumentId>000.00.00.H34,2024/03/05,412/UBND-HCTC</edXML:DocumentId>
    </edXML:ResponseFor>
    <edXML:From>
     <edXML:OrganId>000.01.20.H34</edXML:OrganId>
     <edXML:OrganName>Sở Nội vụ</edXML:OrganName>
    </edXML:From>
    <edXML:StatusCode>03</edXML:StatusCode>
    <edXML:Description>Đã tiếp nhận</edXML:Description>
    <edXML:Timestamp>2024/03/06 14:49:25</edXML:Timestamp>
   </edXML:Status>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
"#;
    let dir = tempfile::tempdir().unwrap();
    let old_sha = {
        let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
        schema::migrate_to(&conn, 10).unwrap();
        let blobs = vanthu_registry::BlobStore::open(dir.path().join("blobs")).unwrap();
        let stored = blobs.put_bytes(OLD.as_bytes()).unwrap();
        for (id, attempts) in [("st03-a", 0), ("st03-b", 2)] {
            conn.execute(
                "INSERT INTO sync_outbox (message_id, op, related, status_code, recipients, document_id,
                    sha256, size, attempts, created_ms)
                 VALUES (?1, 'status', 'm-1', '03', '[]', NULL, ?2, ?3, ?4, 1)",
                rusqlite::params![id, stored.sha256, stored.size as i64, attempts],
            )
            .unwrap();
        }
        stored.sha256
    };
    let reg = Registry::open(dir.path()).unwrap();
    let (first, body) = reg.sync_next_pending(0).unwrap().unwrap();
    assert_eq!(first.package.message_id, "st03-a");
    assert_ne!(first.package.sha256, old_sha);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("<edXML:MessageHeader>"), "{body}");
    assert!(!body.contains("<edXML:Status>"), "{body}");
    assert!(
        body.contains("<edXML:Code>412/UBND-HCTC</edXML:Code>"),
        "{body}"
    );
    assert!(
        body.contains("<edXML:StatusCode>03</edXML:StatusCode>"),
        "{body}"
    );
    let (second, body) = reg.sync_next_pending(first.seq).unwrap().unwrap();
    assert_eq!(second.package.message_id, "st03-b");
    assert_eq!(second.package.sha256, old_sha);
    assert_eq!(body, OLD.as_bytes());
}

/// A state name the code does not know (a hand edit, a newer build's state) is refused when
/// the row is read, naming the value, instead of matching no rule and passing every check
/// that compares against a known state. A name of the other register is refused the same way.
#[test]
fn an_unknown_state_in_the_database_is_refused_when_read() {
    let (_dir, mut reg) = fresh();
    let inc = reg
        .register_incoming(incoming("5/UBND-VP", "Trạng thái lạ", "2024-05-02"))
        .unwrap();
    let out = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Dự thảo".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (inc.incoming_state(), out.outgoing_state()),
        (Some(IncomingState::Registered), Some(OutgoingState::Draft))
    );
    let set = |reg: &Registry, id: i64, state: &str| {
        reg.connection()
            .execute(
                "UPDATE documents SET state = ?2 WHERE id = ?1",
                rusqlite::params![id, state],
            )
            .unwrap();
    };
    set(&reg, out.id, "Draft");
    let err = reg.get(out.id).unwrap_err();
    assert!(
        matches!(err, Error::Sql(_))
            && err
                .to_string()
                .contains("unknown document state: \"Draft\""),
        "{err}"
    );
    // Every path that reads the state refuses it, including the ones that used to compare.
    let err = reg.issue_outgoing(out.id, d("2024-05-03")).unwrap_err();
    assert!(err.to_string().contains("\"Draft\""), "{err}");
    assert!(reg.search(&SearchQuery::text("Dự thảo")).is_err());

    // An outgoing state on an incoming row is as wrong as an unknown one.
    set(&reg, inc.id, "draft");
    let err = reg.get(inc.id).unwrap_err();
    assert!(err.to_string().contains("\"draft\""), "{err}");
    let err = reg
        .append_status_event(inc.id, IncomingState::Assigned, Actor::Leader, None)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
}

/// Recipient groups of an outgoing document (issue 21, item 6): the directory grouped as a
/// clerk picks recipients ("Sở, ban, ngành", "Huyện, thị xã, thành phố", …), by name.
#[test]
fn the_directory_groups_recipients_for_an_outgoing_document() {
    let (_dir, mut reg) = fresh();
    for (code, name) in [
        ("000.00.20.H34", "Sở Tài chính tỉnh Kon Tum"),
        ("000.00.21.H34", "Sở Nội vụ tỉnh Kon Tum"),
        ("000.00.31.H34", "UBND huyện Đắk Hà"),
        ("000.00.32.H34", "UBND thành phố Kon Tum"),
    ] {
        reg.add_agency(NewAgency {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        })
        .unwrap();
    }
    let groups = reg.recipient_groups().unwrap();
    let names = |g: vanthu_domain::SenderGroup| -> Vec<String> {
        groups
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, m)| m.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        names(vanthu_domain::SenderGroup::Department),
        ["Sở Nội vụ tỉnh Kon Tum", "Sở Tài chính tỉnh Kon Tum"]
    );
    assert_eq!(
        names(vanthu_domain::SenderGroup::District),
        ["UBND huyện Đắk Hà", "UBND thành phố Kon Tum"]
    );
    // The seeded level-1 directory: ministries and provinces, each in its group.
    assert!(names(vanthu_domain::SenderGroup::Ministry).len() > 10);
    let provinces = names(vanthu_domain::SenderGroup::Province);
    assert!(provinces.iter().any(|n| n == "UBND Tỉnh Khánh Hòa"));
    // Nobody sends to the unit itself.
    assert!(
        !provinces.iter().any(|n| n.contains("KonTum")),
        "{provinces:?}"
    );
    assert!(groups
        .iter()
        .all(|(g, _)| *g != vanthu_domain::SenderGroup::Other));
}
