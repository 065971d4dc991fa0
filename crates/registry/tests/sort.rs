//! Sorted listings: every sort key, both directions, paged with the keyset cursor.
use chrono::{Duration, NaiveDate};
use vanthu_domain::Urgency;
use vanthu_registry::{
    Error, NewIncoming, NewOutgoing, Register, Registry, SearchHit, SearchQuery, Sort, SortKey,
};

const SENDERS: [&str; 4] = [
    "000.00.00.G22",
    "000.00.00.G09",
    "000.00.00.G01",
    "000.00.00.G03",
];
const SUBJECTS: [&str; 5] = [
    "Về việc chuyển đổi số",
    "Đôn đốc gửi nhận văn bản điện tử",
    "Ấn định thời hạn báo cáo",
    "Báo cáo tổng kết năm",
    "Về việc tuyển dụng công chức",
];

fn register() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user("văn thư A");
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let start = NaiveDate::from_ymd_opt(2025, 12, 20).unwrap();
    for i in 0..37u32 {
        // Arrival dates repeat (several documents a day) and cross a year, so numbers
        // restart and ties on the key are broken by id.
        let arrival = start + Duration::days(i64::from(i / 3));
        reg.register_incoming(NewIncoming {
            sender: SENDERS[(i as usize * 7) % 4].into(),
            notation: format!("{}/UBND-VP", (i * 37) % 101),
            document_date: arrival - Duration::days(2),
            arrival_date: Some(arrival),
            doc_type: "Công văn".into(),
            subject: format!("{} {}", SUBJECTS[(i as usize * 3) % 5], i % 4),
            deadline: (i % 3 != 0).then(|| arrival + Duration::days(i64::from((i * 5) % 11))),
            urgency: if i % 9 == 0 {
                Urgency::Flash
            } else {
                Urgency::Normal
            },
            ..Default::default()
        })
        .unwrap();
    }
    // Outgoing documents must never show in the incoming listing.
    reg.create_outgoing(NewOutgoing {
        notation: "QĐ-UBND".into(),
        doc_type: "QĐ".into(),
        subject: "Về việc chuyển đổi số (văn bản đi)".into(),
        recipients: vec!["000.00.00.G09".into()],
        ..Default::default()
    })
    .unwrap();
    (dir, reg)
}

/// Every page of a query, following `next_cursor`.
fn all_pages(reg: &Registry, mut q: SearchQuery) -> Vec<SearchHit> {
    let mut out = Vec::new();
    let mut pages = 0;
    loop {
        let page = reg.search(&q).unwrap();
        assert!(page.hits.len() <= q.limit);
        out.extend(page.hits);
        pages += 1;
        assert!(pages < 100, "paging does not end");
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

/// The key as the registry defines it, computed here from the records.
fn key(reg: &Registry, h: &SearchHit, k: SortKey) -> String {
    match k {
        SortKey::ArrivalNumber => format!("{:06}{:09}", h.year.unwrap(), h.number.unwrap()),
        SortKey::ArrivalDate => h.arrival_date.unwrap().to_string(),
        SortKey::Notation => h.notation.clone(),
        SortKey::Sender => h.sender.clone().unwrap_or_default(),
        SortKey::Subject => h.subject.clone(),
        SortKey::Deadline => reg
            .get(h.id)
            .unwrap()
            .deadline
            .map(|d| d.to_string())
            .unwrap_or_else(|| "9999-12-31".into()),
        SortKey::State => h.state.as_str().to_owned(),
    }
}

#[test]
fn every_key_orders_and_pages_the_whole_register() {
    let (_dir, reg) = register();
    for k in SortKey::ALL {
        for descending in [false, true] {
            let q = SearchQuery {
                register: Some(Register::Incoming),
                limit: 7,
                sort: Some(Sort { key: k, descending }),
                ..Default::default()
            };
            let got = all_pages(&reg, q);
            assert_eq!(
                got.len(),
                37,
                "{k:?} desc={descending}: every document once"
            );
            let mut ids: Vec<i64> = got.iter().map(|h| h.id).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 37, "{k:?}: no document twice");
            let mut want: Vec<(String, i64)> =
                got.iter().map(|h| (key(&reg, h, k), h.id)).collect();
            want.sort();
            if descending {
                want.reverse();
            }
            let order: Vec<i64> = want.iter().map(|w| w.1).collect();
            assert_eq!(
                got.iter().map(|h| h.id).collect::<Vec<_>>(),
                order,
                "{k:?} desc={descending}"
            );
        }
    }
}

#[test]
fn numbers_sort_by_year_first() {
    let (_dir, reg) = register();
    let page = reg
        .search(&SearchQuery {
            register: Some(Register::Incoming),
            limit: 3,
            sort: Some(Sort::desc(SortKey::ArrivalNumber)),
            ..Default::default()
        })
        .unwrap();
    // 2026 restarted at 1; its highest number comes before 2025's.
    let firsts: Vec<(Option<i32>, Option<u32>)> =
        page.hits.iter().map(|h| (h.year, h.number)).collect();
    assert_eq!(firsts[0].0, Some(2026));
    assert!(firsts.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn sorted_search_keeps_the_filters() {
    let (_dir, reg) = register();
    let q = SearchQuery {
        text: "chuyen doi so".into(),
        register: Some(Register::Incoming),
        limit: 2,
        sort: Some(Sort::asc(SortKey::ArrivalDate)),
        ..Default::default()
    };
    let got = all_pages(&reg, q);
    assert!(!got.is_empty());
    assert!(got
        .iter()
        .all(|h| h.subject.starts_with("Về việc chuyển đổi số")));
    assert!(got.iter().all(|h| h.register == Register::Incoming));
    assert!(got
        .windows(2)
        .all(|w| w[0].arrival_date <= w[1].arrival_date));

    let flash = all_pages(
        &reg,
        SearchQuery {
            register: Some(Register::Incoming),
            urgency: Some(Urgency::Flash),
            limit: 2,
            sort: Some(Sort::desc(SortKey::Sender)),
            ..Default::default()
        },
    );
    assert_eq!(flash.len(), 5);
    assert!(flash.iter().all(|h| h.urgency == Urgency::Flash));
}

#[test]
fn a_cursor_from_another_order_is_refused() {
    let (_dir, reg) = register();
    let mut q = SearchQuery {
        register: Some(Register::Incoming),
        limit: 5,
        sort: Some(Sort::asc(SortKey::Notation)),
        ..Default::default()
    };
    let cursor = reg.search(&q).unwrap().next_cursor.unwrap();
    q.sort = Some(Sort::desc(SortKey::Notation));
    q.cursor = Some(cursor.clone());
    assert!(matches!(reg.search(&q), Err(Error::BadCursor)));
    // Nor a newest-first cursor in a sorted listing, or the other way round.
    q.sort = None;
    assert!(matches!(reg.search(&q), Err(Error::BadCursor)));
    let plain = reg
        .search(&SearchQuery {
            register: Some(Register::Incoming),
            limit: 5,
            ..Default::default()
        })
        .unwrap()
        .next_cursor
        .unwrap();
    q.sort = Some(Sort::asc(SortKey::Notation));
    q.cursor = Some(plain);
    assert!(matches!(reg.search(&q), Err(Error::BadCursor)));
}

#[test]
fn every_order_reads_an_index_not_a_sort() {
    let (_dir, reg) = register();
    for (k, index) in [
        (SortKey::ArrivalNumber, "documents_by_number"),
        (SortKey::ArrivalDate, "documents_by_date"),
        (SortKey::Notation, "documents_by_notation"),
        (SortKey::Sender, "documents_by_sender"),
        (SortKey::Subject, "documents_by_subject"),
        (SortKey::Deadline, "documents_by_deadline"),
        (SortKey::State, "documents_by_state"),
    ] {
        let plan = reg
            .explain_sorted(Register::Incoming, Sort::desc(k))
            .unwrap();
        assert!(plan.contains(index), "{k:?}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{k:?} sorts: {plan}");
    }
}
