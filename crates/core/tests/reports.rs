//! Reports over registers that really exchanged documents (reports.md §1–§3): a province
//! sends a signed document to its own Sở and an unsigned one to a ministry through a real
//! hub, both answer with statuses (one completes, one refuses), the ministry sends one back;
//! the issuing, statuses and processing reports of each side must then say exactly that.
mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::Local;
use vanthu_core::reports::{
    self, export, issuing::issuing_report, processing::processing_report,
    statuses::statuses_report, ReportKind, ReportScope,
};
use vanthu_domain::{Actor, IncomingState};
use vanthu_registry::{NewAgency, NewIncoming, NewOutgoing, Registry};
use vanthu_sign::testing;

const A: &str = "000.00.00.H34";
const SO: &str = "000.00.20.H34";
const BO: &str = "000.00.00.G01";

fn pdf() -> PathBuf {
    testing::corpus("minimal.pdf")
}

fn unit(dir: &Path, code: &str, name: &str, others: &[(&str, &str)]) -> Registry {
    let mut reg = Registry::open(dir).unwrap();
    reg.init_unit(code, name).unwrap();
    // Level-1 agencies come with the directory; lower units are added by the unit.
    for (c, n) in others
        .iter()
        .filter(|(c, _)| !c.starts_with("000.00.00.") && *c != code)
    {
        {
            reg.add_agency(NewAgency {
                code: (*c).into(),
                name: (*n).into(),
                ..Default::default()
            })
            .unwrap();
        }
    }
    reg
}

fn draft(reg: &mut Registry, to: &[&str], unit: &str) -> i64 {
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "Về việc báo cáo tình hình gửi nhận văn bản điện tử".into(),
        signer: Some("Nguyễn Văn An".into()),
        recipients: to.iter().map(|s| s.to_string()).collect(),
        drafting_unit: Some(unit.into()),
        files: vec![pdf()],
        ..Default::default()
    })
    .unwrap()
    .id
}

fn today_scope(department: Option<&str>) -> ReportScope {
    let today = Local::now().date_naive();
    ReportScope::new(None, None, department.map(str::to_owned), today).unwrap()
}

fn only_incoming(reg: &Registry) -> i64 {
    let hits = reg.list(&Default::default()).unwrap().hits;
    let ids: Vec<i64> = hits
        .iter()
        .filter(|d| d.register == vanthu_registry::Register::Incoming)
        .map(|d| d.id)
        .collect();
    assert_eq!(ids.len(), 1, "{hits:?}");
    ids[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_count_what_the_units_exchanged() {
    let hub = common::start_hub(&[A, SO, BO]).await;
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a_dir, so_dir, bo_dir) = (dirs[0].path(), dirs[1].path(), dirs[2].path());
    let names = [
        (SO, "Sở Nội vụ"),
        (BO, "Bộ Công An"),
        (A, "UBND tỉnh Kon Tum"),
    ];
    let today = Local::now().date_naive();

    // A: one signed document to its Sở, one unsigned to the ministry, one on paper only.
    let (signed, unsigned) = {
        let mut reg = unit(a_dir, A, "UBND tỉnh Kon Tum", &names);
        let signed = draft(&mut reg, &[SO], "Văn phòng");
        let unsigned = draft(&mut reg, &[BO], "Văn phòng");
        let paper = draft(&mut reg, &["Lưu: VT"], "Phòng Tổng hợp");
        let reg = Mutex::new(reg);
        common::sign_as_leader(&reg, signed);
        let mut reg = reg.into_inner().unwrap();
        for id in [signed, unsigned, paper] {
            reg.issue_outgoing(id, today).unwrap();
        }
        reg.queue_dispatch(signed).unwrap();
        reg.queue_dispatch(unsigned).unwrap();
        (signed, unsigned)
    };
    drop(unit(so_dir, SO, "Sở Nội vụ", &names));
    let mut bo_reg = unit(bo_dir, BO, "Bộ Công An", &names);
    let from_bo = draft(&mut bo_reg, &[A], "Văn phòng Bộ");
    bo_reg.issue_outgoing(from_bo, today).unwrap();
    bo_reg.queue_dispatch(from_bo).unwrap();
    drop(bo_reg);

    let a = hub.registry_engine(A, "UBND tỉnh Kon Tum", a_dir);
    let so = hub.registry_engine(SO, "Sở Nội vụ", so_dir);
    let bo = hub.registry_engine(BO, "Bộ Công An", bo_dir);
    a.sync_once().await.unwrap();
    bo.sync_once().await.unwrap();
    so.sync_once().await.unwrap();
    a.sync_once().await.unwrap();

    // The Sở registers and completes; the ministry refuses; A registers what it received.
    {
        let mut reg = Registry::open(so_dir).unwrap();
        let id = only_incoming(&reg);
        for (s, who) in [
            (IncomingState::Registered, Actor::Clerk),
            (IncomingState::Assigned, Actor::Leader),
            (IncomingState::InProgress, Actor::Handler),
            (IncomingState::Completed, Actor::Handler),
        ] {
            reg.append_status_event(id, s, who, None).unwrap();
        }
    }
    {
        let mut reg = Registry::open(bo_dir).unwrap();
        let id = only_incoming(&reg);
        reg.append_status_event(
            id,
            IncomingState::Rejected,
            Actor::Clerk,
            Some("Thiếu chữ ký số"),
        )
        .unwrap();
    }
    {
        let mut reg = Registry::open(a_dir).unwrap();
        let id = only_incoming(&reg);
        reg.append_status_event(id, IncomingState::Registered, Actor::Clerk, None)
            .unwrap();
    }
    for _ in 0..2 {
        so.sync_once().await.unwrap();
        bo.sync_once().await.unwrap();
        a.sync_once().await.unwrap();
    }

    let reg = Registry::open(a_dir).unwrap();
    let scope = today_scope(None);

    // §1: three issued, two of them electronically; the one to the Sở carries a signature
    // that verifies, the ministry's exchange (ours and theirs) does not.
    let issuing = issuing_report(&reg, &scope, &testing::trust_store()).unwrap();
    assert_eq!(issuing.issued_total, 3);
    assert_eq!(issuing.issued_electronic_only, 2);
    assert_eq!(
        (
            issuing.signed_ratio_internal.signed,
            issuing.signed_ratio_internal.total
        ),
        (1, 1)
    );
    assert_eq!(
        (
            issuing.signed_ratio_external.signed,
            issuing.signed_ratio_external.total
        ),
        (0, 2)
    );
    assert_eq!(issuing.certificates, 1);
    assert_eq!(issuing.certificate_list[0].signer, "Nguyễn Văn An");
    assert_eq!(issuing.certificate_list[0].documents, 1);
    // Without the test CA among the trust anchors nothing counts as signed.
    let untrusted = issuing_report(&reg, &scope, &Default::default()).unwrap();
    assert_eq!(untrusted.signed_ratio_internal.signed, 0);
    assert_eq!(untrusted.certificates, 0);
    // A department sees only its own issuing.
    let dept = issuing_report(
        &reg,
        &today_scope(Some("phong tong hop")),
        &testing::trust_store(),
    )
    .unwrap();
    assert_eq!((dept.issued_total, dept.issued_electronic_only), (1, 0));

    // §2: the Sở returned 01, 03, 04, 05, 06 — five of six; the ministry 01 and 02.
    let st = statuses_report(&reg, &scope, 24, chrono::Utc::now().timestamp_millis()).unwrap();
    let row = |code: &str| {
        st.counterparts
            .iter()
            .find(|r| r.agency_code == code)
            .unwrap()
    };
    let so_row = row(SO);
    assert_eq!((so_row.sent, so_row.received), ("ĐẠT", "Chưa nhận"));
    assert_eq!(so_row.codes_returned, ["01", "03", "04", "05", "06"]);
    assert_eq!(so_row.statuses_returned, 5);
    assert_eq!(so_row.note, "Phản hồi chưa đủ trạng thái");
    assert_eq!(so_row.agency_name, "Sở Nội vụ");
    assert!(so_row.hours_to_01_median.is_some() && so_row.hours_to_06_median.is_some());
    assert_eq!(so_row.without_01_after_threshold, 0);
    let bo_row = row(BO);
    assert_eq!((bo_row.sent, bo_row.received), ("ĐẠT", "ĐẠT"));
    assert_eq!(bo_row.codes_returned, ["01", "02"]);
    assert!(bo_row.hours_to_06_median.is_none());
    // What we answered the ministry: 01 (automatic) and 03 (registered).
    assert_eq!(st.own_answers.len(), 1);
    assert_eq!(st.own_answers[0].agency_code, BO);
    assert_eq!(st.own_answers[0].codes_returned, ["01", "03"]);
    assert_eq!(
        (st.own.sent, st.own.received, st.own.statuses_returned),
        ("ĐẠT", "ĐẠT", 2)
    );
    assert!(!st.own.passes);
    // Counted as of two days later with a one-hour threshold, a recipient without 01 would
    // show; every recipient answered, so none does.
    let later = statuses_report(
        &reg,
        &scope,
        1,
        chrono::Utc::now().timestamp_millis() + 2 * 86_400_000,
    )
    .unwrap();
    assert!(later
        .counterparts
        .iter()
        .all(|r| r.without_01_after_threshold == 0));

    // §3 on A: one registered from a ministry, not assigned, open.
    let p = processing_report(&reg, &scope).unwrap();
    assert_eq!(p.received_total, 1);
    let group = |p: &reports::processing::ProcessingReport, k: &str| {
        p.received_by_sender_group
            .iter()
            .find(|c| c.key == k)
            .unwrap()
            .count
    };
    assert_eq!(group(&p, "Bộ, ngành"), 1);
    assert_eq!(p.totals.in_progress, 1);
    assert_eq!(p.by_handler[0].handler, "Chưa giao");
    drop(reg);
    // On the ministry's side the refusal and its reason.
    let bo_reg = Registry::open(bo_dir).unwrap();
    let p = processing_report(&bo_reg, &scope).unwrap();
    assert_eq!((p.received_total, p.rejected_total), (0, 1));
    assert_eq!(p.rejected_reasons[0].key, "Thiếu chữ ký số");

    // Every format of the built report carries the same figures.
    let reg = Registry::open(a_dir).unwrap();
    let built = reports::build(
        &reg,
        ReportKind::Statuses,
        &scope,
        &testing::trust_store(),
        0,
    )
    .unwrap();
    assert_eq!(built.json["counterparts"][1]["agency_code"], SO);
    assert_eq!(built.json["counterparts"][1]["statuses_returned"], 5);
    let text = export::to_text(&built.document);
    assert!(text.contains("Sở Nội vụ"), "{text}");
    let pdf = export::to_pdf(&built.document).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(built.charts[0].points[1].values, [5.0], "the Sở's bar");
    // The Phụ lục III form carries the issuing figures and our own status feedback.
    let form =
        reports::build(&reg, ReportKind::Survey, &scope, &testing::trust_store(), 0).unwrap();
    let answer = |item: &str, n: usize| {
        form.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["item"] == item)
            .nth(n)
            .unwrap()["answer"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        answer("1.8.a", 0).contains("2/6 trạng thái"),
        "{}",
        answer("1.8.a", 0)
    );
    assert!(
        answer("1.10", 0).contains("(3 văn bản"),
        "{}",
        answer("1.10", 0)
    );
    assert!(
        answer("1.10", 1).contains("(2 văn bản)"),
        "{}",
        answer("1.10", 1)
    );
    assert_eq!(answer("1.11.a", 0), "1 chứng thư số");
    let _ = (signed, unsigned);
}

#[test]
fn processing_sorts_deadlines_into_on_time_late_and_overdue() {
    let dir = tempfile::tempdir().unwrap();
    const HUYEN: &str = "000.00.31.H34";
    let mut reg = unit(
        dir.path(),
        A,
        "UBND tỉnh Kon Tum",
        &[(HUYEN, "UBND huyện Đắk Hà")],
    );
    let today = Local::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let tomorrow = today.succ_opt().unwrap();
    let mut add = |handler: &str, deadline: Option<chrono::NaiveDate>, done: bool| {
        let rec = reg
            .register_incoming(NewIncoming {
                arrival_date: Some(today),
                sender: HUYEN.into(),
                document_date: today,
                notation: "12/UBND-VP".into(),
                doc_type: "Công văn".into(),
                subject: "Về việc thử báo cáo".into(),
                handler: Some(handler.into()),
                deadline,
                ..Default::default()
            })
            .unwrap();
        if done {
            for (s, who) in [
                (IncomingState::Assigned, Actor::Leader),
                (IncomingState::InProgress, Actor::Handler),
                (IncomingState::Completed, Actor::Handler),
            ] {
                reg.append_status_event(rec.id, s, who, None).unwrap();
            }
        }
    };
    add("Phòng Tổng hợp", Some(tomorrow), true); // on time
    add("Phòng Tổng hợp", Some(yesterday), true); // late
    add("Phòng Tổng hợp", Some(yesterday), false); // overdue, open
    add("Phòng Kinh tế", None, false); // open, no deadline
    let p = processing_report(&reg, &today_scope(None)).unwrap();
    assert_eq!(p.received_total, 4);
    assert_eq!(
        (
            p.totals.completed_on_time,
            p.totals.completed_late,
            p.totals.overdue_open,
            p.totals.in_progress
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(p.totals.response_days_median, Some(0.0));
    // A name-classified district.
    assert!(p
        .received_by_sender_group
        .iter()
        .any(|c| c.key == "Huyện, thị xã, thành phố" && c.count == 4));
    let one = processing_report(&reg, &today_scope(Some("Phòng Kinh tế"))).unwrap();
    assert_eq!((one.received_total, one.by_handler.len()), (1, 1));
    let csv = String::from_utf8(export::to_csv(&p.document("UBND tỉnh Kon Tum")).unwrap()).unwrap();
    assert!(csv.contains("Phòng Tổng hợp,3,0,1,1,1,"), "{csv}");
}

#[test]
fn register_books_list_a_year_in_number_order_and_the_slip_carries_the_assignment() {
    use vanthu_core::reports::books::{processing_slip, register_book, BookRequest};
    use vanthu_core::reports::table::Cell;
    use vanthu_domain::Secrecy;
    use vanthu_registry::{Register, Series};

    const HUYEN: &str = "000.00.31.H34";
    let dir = tempfile::tempdir().unwrap();
    let mut reg = unit(
        dir.path(),
        A,
        "UBND tỉnh Kon Tum",
        &[(HUYEN, "UBND huyện Đắk Hà")],
    );
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let mut incoming = |notation: &str, secrecy: Secrecy, arrival: &str| {
        reg.register_incoming(NewIncoming {
            arrival_date: Some(day(arrival)),
            sender: HUYEN.into(),
            document_date: day("2025-03-01"),
            notation: notation.into(),
            doc_type: "Công văn".into(),
            subject: format!("Về việc {notation}"),
            secrecy,
            deadline: Some(day("2025-03-20")),
            ..Default::default()
        })
        .unwrap()
        .id
    };
    let first = incoming("10/UBND-VP", Secrecy::Normal, "2025-03-02");
    incoming("11/UBND-VP", Secrecy::Confidential, "2025-03-03");
    incoming("12/UBND-VP", Secrecy::Normal, "2025-03-04");
    // Another year's book does not show them.
    incoming("13/UBND-VP", Secrecy::Normal, "2026-01-05");

    let book = |reg: &Registry, register, series, year| {
        register_book(
            reg,
            BookRequest {
                register,
                series,
                year,
            },
        )
        .unwrap()
    };
    let normal = book(&reg, Register::Incoming, Series::Normal, 2025);
    let rows = &normal.tables[0].rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(normal.tables[0].columns.len(), 10, "NĐ 30 has ten columns");
    assert_eq!(rows[0][0], Cell::Date(day("2025-03-02")));
    assert_eq!(rows[0][1], Cell::Int(1));
    assert_eq!(rows[1][1], Cell::Int(2));
    assert_eq!(rows[0][2], Cell::Text("UBND huyện Đắk Hà".into()));
    assert_eq!(rows[1][3], Cell::Text("12/UBND-VP".into()));
    let cover: Vec<&str> = normal.cover.iter().map(|l| l.text.as_str()).collect();
    assert!(cover.contains(&"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"), "{cover:?}");
    assert!(cover.contains(&"Từ số 1 đến số 2"), "{cover:?}");
    assert!(
        cover.contains(&"Từ ngày 02/03/2025 đến ngày 04/03/2025"),
        "{cover:?}"
    );
    let secret = book(&reg, Register::Incoming, Series::Secret, 2025);
    assert_eq!(secret.tables[0].rows.len(), 1);
    assert_eq!(secret.tables[0].rows[0][1], Cell::Text("M1".into()));
    assert!(secret.title.contains("MẬT"));
    assert!(
        book(&reg, Register::Outgoing, Series::Normal, 2025).tables[0]
            .rows
            .is_empty()
    );

    // Outgoing: the recipients in one cell, in their order.
    let out = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Về việc thử sổ đi".into(),
            signer: Some("Nguyễn Văn An".into()),
            recipients: vec![HUYEN.into(), "Lưu: VT".into()],
            copies: Some(3),
            ..Default::default()
        })
        .unwrap()
        .id;
    reg.issue_outgoing(out, day("2025-05-06")).unwrap();
    let outgoing = book(&reg, Register::Outgoing, Series::Normal, 2025);
    let row = &outgoing.tables[0].rows[0];
    assert_eq!(row[1], Cell::Date(day("2025-05-06")));
    assert_eq!(row[3], Cell::Text("Nguyễn Văn An".into()));
    assert_eq!(row[4], Cell::Text("UBND huyện Đắk Hà; Lưu: VT".into()));
    assert_eq!(row[6], Cell::Int(3));

    // The slip: part 1 carries the leader's instruction and the deadline.
    reg.append_status_event(
        first,
        IncomingState::Assigned,
        Actor::Leader,
        Some("Phòng Kinh tế chủ trì"),
    )
    .unwrap();
    let slip = processing_slip(&reg, first).unwrap();
    assert!(slip.portrait);
    assert_eq!(slip.title, "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN");
    let part1 = &slip.tables[1];
    assert_eq!(part1.title, "1. Ý kiến của lãnh đạo cơ quan");
    assert_eq!(part1.rows.len(), 1);
    let Cell::Text(text) = &part1.rows[0][2] else {
        panic!("{:?}", part1.rows)
    };
    assert!(
        text.starts_with("Phòng Kinh tế chủ trì") && text.ends_with("Hạn: 20/03/2025"),
        "{text}"
    );
    assert!(
        processing_slip(&reg, out).is_err(),
        "an outgoing document has no slip"
    );
    let pdf = export::to_pdf(&slip).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

/// Hand-computed fixture: three recipients answering 0, 3 and 6 statuses, and our own answers
/// to the one that also sent us a document, entered through the sync queues as the engine
/// records them. The XLSX export is read back with a spreadsheet reader.
#[test]
fn the_status_table_grades_agencies_that_answer_0_3_and_6_statuses() {
    use vanthu_registry::{SyncDelivery, SyncPackage};

    const X: &str = "000.00.00.G01";
    const Y: &str = "000.00.00.G02";
    const Z: &str = "000.00.00.G03";
    let dir = tempfile::tempdir().unwrap();
    let mut reg = unit(dir.path(), A, "UBND tỉnh Kon Tum", &[]);
    let body = b"<edXML/>";
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body))
    };
    let pkg =
        |id: &str, op: &str, related: Option<&str>, code: Option<&str>, to: &[&str]| SyncPackage {
            message_id: id.into(),
            op: op.into(),
            related: related.map(Into::into),
            status_code: code.map(Into::into),
            recipients: to.iter().map(|s| s.to_string()).collect(),
            document_id: None,
            sha256: sha.clone(),
        };
    let delivery = |id: &str, from: &str, kind: &str, related: Option<&str>, code: Option<&str>| {
        SyncDelivery {
            message_id: id.into(),
            hub_seq: 0,
            sender: from.into(),
            kind: kind.into(),
            business: "new".into(),
            related: related.map(Into::into),
            status_code: code.map(Into::into),
            document_id: None,
            sha256: sha.clone(),
            relay: false,
        }
    };
    // We send one document to each; the hub accepts them.
    for (id, to) in [("m-x", X), ("m-y", Y), ("m-z", Z)] {
        reg.sync_enqueue(&[(pkg(id, "send", None, None, &[to]), &body[..])])
            .unwrap();
    }
    for row in reg.sync_outbox().unwrap() {
        reg.sync_mark_sent(&[row.seq]).unwrap();
    }
    // Y answers 01 03 04 (and 04 again after a re-assignment); Z all six; X nothing.
    let mut statuses = Vec::new();
    for (i, code) in ["01", "03", "04", "04"].iter().enumerate() {
        statuses.push(delivery(
            &format!("s-y-{i}"),
            Y,
            "status",
            Some("m-y"),
            Some(code),
        ));
    }
    for code in ["01", "02", "03", "04", "05", "06"] {
        statuses.push(delivery(
            &format!("s-z-{code}"),
            Z,
            "status",
            Some("m-z"),
            Some(code),
        ));
    }
    // Z also sends us a document, which we answer with 01, 03, 04, 05, 06.
    statuses.push(delivery("in-z", Z, "edoc", None, None));
    let items: Vec<_> = statuses
        .iter()
        .map(|d| (d.clone(), &body[..], Vec::new()))
        .collect();
    reg.sync_store_received(&items).unwrap();
    for code in ["01", "03", "04", "05", "06"] {
        reg.sync_enqueue(&[(
            pkg(
                &format!("our-{code}"),
                "status",
                Some("in-z"),
                Some(code),
                &[],
            ),
            &body[..],
        )])
        .unwrap();
    }
    for row in reg.sync_outbox().unwrap() {
        if row.state != vanthu_registry::OutboxState::Sent {
            reg.sync_mark_sent(&[row.seq]).unwrap();
        }
    }

    let scope = today_scope(None);
    let a_day_later = chrono::Utc::now().timestamp_millis() + 25 * 3_600_000;
    let st = statuses_report(&reg, &scope, 24, a_day_later).unwrap();
    let got: Vec<(&str, &str, &str, u8, &str, u64)> = st
        .counterparts
        .iter()
        .map(|r| {
            (
                r.agency_code.as_str(),
                r.sent,
                r.received,
                r.statuses_returned,
                r.note,
                r.without_01_after_threshold,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (X, "ĐẠT", "Chưa nhận", 0, "Chưa phản hồi trạng thái", 1),
            (Y, "ĐẠT", "Chưa nhận", 3, "Phản hồi chưa đủ trạng thái", 0),
            (Z, "ĐẠT", "ĐẠT", 6, "Phản hồi tương đối đủ trạng thái", 0),
        ]
    );
    assert_eq!(st.counterparts[0].agency_name, "Bộ Công An");
    assert!(st.counterparts[0].hours_to_01_median.is_none());
    assert!(st.counterparts[2].hours_to_06_median.is_some());
    assert_eq!(st.own_answers.len(), 1);
    assert_eq!(
        (st.own_answers[0].statuses_returned, st.own_answers[0].note),
        (5, "Phản hồi chưa đủ trạng thái")
    );
    assert!(!st.own.passes, "five of six statuses returned");

    // The XLSX, read back: typed cells where the table has them.
    use calamine::{Data, Reader, Xlsx};
    let bytes = export::to_xlsx(&st.document("UBND tỉnh Kon Tum (000.00.00.H34)")).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 3, "{names:?}");
    let sheet = book.worksheet_range(&names[0]).unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("Mã định danh".into())))
        .expect("a heading row");
    assert_eq!(
        rows[header][4],
        Data::String("Số trạng thái đã phản hồi".into())
    );
    let z = &rows[header + 3];
    assert_eq!(z[0], Data::String(Z.into()));
    assert_eq!(z[2], Data::String("ĐẠT".into()));
    assert_eq!(z[4], Data::Float(6.0), "a count is a number cell");
    assert_eq!(
        z[5],
        Data::String("Phản hồi tương đối đủ trạng thái".into())
    );
    let x = &rows[header + 1];
    assert_eq!(
        (x[4].clone(), x[12].clone()),
        (Data::Float(0.0), Data::Float(1.0))
    );
}
