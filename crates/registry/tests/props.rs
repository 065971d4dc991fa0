//! Property tests of the parsers the registry exposes to user input: search text, page
//! cursors, CSV files, dates.
use chrono::NaiveDate;
use proptest::prelude::*;
use vanthu_registry::{csvio, NewIncoming, Register, Registry, SearchQuery};

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    reg.register_incoming(NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: "1/VPCP-KSTT".into(),
        document_date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        doc_type: "Công văn".into(),
        subject: "Đôn đốc gửi, nhận văn bản điện tử".into(),
        ..Default::default()
    })
    .unwrap();
    (dir, reg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever a clerk types, search answers (no FTS5 syntax error), and a query made of a
    /// subject's words in any case/diacritics finds it.
    #[test]
    fn any_search_text_is_safe(text in "\\PC{0,30}", cursor in "\\PC{0,20}") {
        let (_dir, reg) = fresh();
        reg.search(&SearchQuery::text(text.clone())).unwrap();
        let with_cursor = reg.search(&SearchQuery { text, cursor: Some(cursor), ..Default::default() });
        prop_assert!(matches!(with_cursor, Ok(_) | Err(vanthu_registry::Error::BadCursor)));
    }

    /// Subjects with commas, quotes, newlines and Vietnamese text survive export → import.
    #[test]
    fn csv_round_trip(subjects in prop::collection::vec("[a-zA-ZàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễđĐ ,\"\\n;]{1,40}", 1..6)) {
        let subjects: Vec<String> = subjects.into_iter().filter(|s| !s.trim().is_empty()).collect();
        prop_assume!(!subjects.is_empty());
        let (_dir, mut reg) = fresh();
        let items = subjects.iter().enumerate().map(|(i, s)| (i as u64 + 2, NewIncoming {
            sender: "000.00.00.G22".into(),
            notation: format!("{}/VPCP-KSTT", i + 2),
            document_date: NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
            arrival_date: NaiveDate::from_ymd_opt(2024, 1, 3),
            doc_type: "Công văn".into(),
            subject: s.clone(),
            ..Default::default()
        })).collect();
        reg.import_incoming(items).unwrap();
        let mut out = Vec::new();
        reg.export_csv(Register::Incoming, None, &mut out).unwrap();
        let (dir2, mut reg2) = {
            let dir = tempfile::tempdir().unwrap();
            let mut reg = Registry::open(dir.path()).unwrap();
            reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
            (dir, reg)
        };
        let path = dir2.path().join("x.csv");
        std::fs::write(&path, &out).unwrap();
        reg2.import_incoming_csv(&path).unwrap();
        let mut again = Vec::new();
        reg2.export_csv(Register::Incoming, None, &mut again).unwrap();
        prop_assert_eq!(String::from_utf8(again).unwrap(), String::from_utf8(out).unwrap());
    }

    /// Dates: every valid date round-trips through both accepted spellings; junk is refused.
    #[test]
    fn dates_parse_both_ways(days in 0i64..40_000, junk in "[^0-9]{1,12}") {
        let d = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(days);
        prop_assert_eq!(csvio::parse_date(&d.to_string()).unwrap(), d);
        prop_assert_eq!(csvio::parse_date(&d.format("%d/%m/%Y").to_string()).unwrap(), d);
        prop_assert!(csvio::parse_date(&junk).is_err());
    }
}
