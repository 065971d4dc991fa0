//! What the detail pane learns about "Trình lãnh đạo" (src/desks.rs) on real registers and
//! the real sync queue; the hub round trip itself is crates/sync's and the e2e spec's.
use chrono::NaiveDate;
use vanthu_app::desks::{desk_info, fill_mirrors, numbering_year_of, SubmissionState};
use vanthu_app::dto::IncomingRow;
use vanthu_domain::{Actor, IncomingState, ProcessingStep, Secrecy};
use vanthu_registry::{IncomingAction, NewIncoming, Registry};
use vanthu_sync::SyncState;

const UNIT: &str = "000.00.00.H34";

fn desktop() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.set_user("văn thư".to_owned());
    reg.init_unit(UNIT, "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn register(reg: &mut Registry, secrecy: Secrecy) -> i64 {
    reg.register_incoming(NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: "12/VPCP-KSTT".into(),
        document_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        arrival_date: Some(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()),
        doc_type: "Công văn".into(),
        subject: "Về việc trình lãnh đạo".into(),
        secrecy,
        ..Default::default()
    })
    .unwrap()
    .id
}

fn row_of(reg: &Registry, id: i64) -> IncomingRow {
    (&reg.get(id).unwrap()).into()
}

#[test]
fn a_submission_waits_then_is_delivered_as_the_outbox_says() {
    let (dir, mut reg) = desktop();
    let id = register(&mut reg, Secrecy::Normal);
    let to = format!("{UNIT}/LD");
    reg.submit_document(id, &to, Some("Kính trình đồng chí Chủ tịch"))
        .unwrap();

    let state = SyncState::open_registry(dir.path()).unwrap();
    let outbox = |m: &str| state.outbox_state(m).unwrap();
    let info = desk_info(&reg, id, outbox).unwrap();
    assert!(info.mirror.is_none());
    assert_eq!(info.submissions.len(), 1);
    let s = &info.submissions[0];
    assert_eq!(s.to_desktop, to);
    assert_eq!(s.note.as_deref(), Some("Kính trình đồng chí Chủ tịch"));
    assert_eq!(s.state, SubmissionState::Waiting);
    assert_eq!(s.state_label, "chờ đồng bộ");

    // In the outbox but not yet accepted by the hub: still waiting.
    assert_eq!(
        vanthu_sync::desks::queue_submissions(&mut reg, &state).unwrap(),
        1
    );
    let info = desk_info(&reg, id, outbox).unwrap();
    assert_eq!(info.submissions[0].state, SubmissionState::Waiting);

    let seq = state
        .outbox()
        .unwrap()
        .into_iter()
        .find(|o| o.package.recipients == vec![to.clone()])
        .expect("submission package queued")
        .seq;
    state.mark_sent(&[seq]).unwrap();
    let info = desk_info(&reg, id, outbox).unwrap();
    assert_eq!(info.submissions[0].state, SubmissionState::Delivered);
    assert_eq!(info.submissions[0].state_label, "đã chuyển");

    // Submitting again to the same desktop is the same submission.
    reg.submit_document(id, &to, None).unwrap();
    assert_eq!(desk_info(&reg, id, outbox).unwrap().submissions.len(), 1);
}

#[test]
fn secret_documents_and_other_units_are_refused_with_the_registry_message() {
    let (_dir, mut reg) = desktop();
    let secret = register(&mut reg, Secrecy::Confidential);
    assert!(reg
        .submit_document(secret, &format!("{UNIT}/LD"), None)
        .is_err());
    let normal = register(&mut reg, Secrecy::Normal);
    let err = reg
        .submit_document(normal, "000.00.00.G22/LD", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("chỉ trình tới máy của đơn vị mình"), "{err}");
    let info = desk_info(&reg, normal, |_| None).unwrap();
    assert!(info.submissions.is_empty());
}

#[test]
fn the_leader_desktop_shows_where_a_mirror_came_from_and_its_number() {
    let (_c, mut clerk) = desktop();
    let id = register(&mut clerk, Secrecy::Normal);
    let number = clerk.get(id).unwrap().arrival_number.unwrap();
    let sub = clerk
        .submit_document(id, &format!("{UNIT}/LD"), None)
        .unwrap();
    let pkg = clerk.submission_package(&sub).unwrap();

    let (_l, mut leader) = desktop();
    let own = register(&mut leader, Secrecy::Normal);
    let mirror = leader
        .receive_submission(&sub.message_id, &format!("{UNIT}/VT1"), &pkg)
        .unwrap();

    let info = desk_info(&leader, mirror, |_| None).unwrap();
    let m = info.mirror.expect("a mirror");
    assert_eq!(m.origin, format!("{UNIT}/VT1"));
    assert_eq!(m.number_label, Some(number.to_string()));

    let mut rows = vec![row_of(&leader, own), row_of(&leader, mirror)];
    fill_mirrors(&leader, &mut rows).unwrap();
    assert_eq!(rows[0].mirror_origin, None, "the unit's own record");
    assert_eq!(
        rows[1].arrival_number, 0,
        "a mirror has no number of its own"
    );
    assert_eq!(
        rows[1].mirror_origin.as_deref(),
        Some(&*format!("{UNIT}/VT1"))
    );
    assert_eq!(rows[1].mirror_number, Some(number.to_string()));
    // The list shows the clerk's số đến for the mirror, the own number for the rest.
    assert_eq!(rows[1].number_label, number.to_string());
    assert_eq!(rows[0].number_label, rows[0].arrival_number.to_string());
}

#[test]
fn the_leader_assigns_a_mirror_and_the_answer_carries_the_handler() {
    let (_c, mut clerk) = desktop();
    let id = register(&mut clerk, Secrecy::Normal);
    let sub = clerk
        .submit_document(id, &format!("{UNIT}/LD"), None)
        .unwrap();
    let pkg = clerk.submission_package(&sub).unwrap();
    let (ld, mut leader) = desktop();
    let mirror = leader
        .receive_submission(&sub.message_id, &format!("{UNIT}/VT1"), &pkg)
        .unwrap();

    // The leader's copy offers only Phân công.
    let assign = IncomingAction::Step(ProcessingStep {
        to: IncomingState::Assigned,
        actor: Actor::Leader,
    });
    let offered: Vec<_> = leader
        .offered_actions(mirror)
        .unwrap()
        .into_iter()
        .map(|o| o.action)
        .collect();
    assert_eq!(offered, [assign]);
    // No handler: refused before anything is written.
    let err = leader
        .take_action(mirror, assign, Some("x"), Some("  "))
        .unwrap_err();
    assert!(
        err.to_string().contains("chưa nhập người/đơn vị xử lý"),
        "{err}"
    );
    assert_eq!(
        leader.get(mirror).unwrap().incoming_state(),
        Some(IncomingState::Registered)
    );

    leader
        .take_action(
            mirror,
            assign,
            Some("Giao phòng TCCB chủ trì"),
            Some(" Phòng Tổ chức cán bộ "),
        )
        .unwrap();
    assert!(leader.offered_actions(mirror).unwrap().is_empty());
    let rec = leader.get(mirror).unwrap();
    assert_eq!(rec.incoming_state(), Some(IncomingState::Assigned));
    assert_eq!(rec.handler.as_deref(), Some("Phòng Tổ chức cán bộ"));
    assert_eq!(
        rec.arrival_number, None,
        "a mirror never gets a number of its own"
    );

    let state = SyncState::open_registry(ld.path()).unwrap();
    assert_eq!(
        vanthu_sync::desks::queue_answers(&mut leader, &state).unwrap(),
        1
    );
    let mut after = 0;
    let body = loop {
        let (seq, pkg, body) = state
            .next_pending(after)
            .unwrap()
            .expect("the answer is queued on the submission");
        if pkg.related.as_deref() == Some(sub.message_id.as_str()) {
            break body;
        }
        after = seq;
    };
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["handler"], "Phòng Tổ chức cán bộ");
    assert_eq!(v["note"], "Giao phòng TCCB chủ trì");
    assert_eq!(v["to_state"], "assigned");
}

/// Cài đặt → Khóa sổ cuối năm shows the closure as the registry made it: when, and the
/// unused numbers of this desktop's blocks, by book and series.
#[test]
fn the_year_closing_lists_the_void_ranges_by_book() {
    let (_d, mut reg) = desktop();
    reg.set_numbering_desktop(Some("VT1")).unwrap();
    let year = 2025;
    for (i, req) in reg
        .prepare_block_requests(year, 5)
        .unwrap()
        .into_iter()
        .enumerate()
    {
        reg.add_number_block(&req.request_id, 1 + 10 * i as u32, req.size)
            .unwrap();
    }
    let open = numbering_year_of(&reg, year).unwrap();
    assert_eq!((open.closed_at.as_deref(), open.voided.len()), (None, 0));
    reg.close_numbering_year(year).unwrap();
    let closed = numbering_year_of(&reg, year).unwrap();
    assert!(closed.closed_at.is_some());
    assert_eq!(closed.voided.len(), 4, "{:?}", closed.voided);
    assert!(closed.voided.iter().any(|v| v.starts_with("Sổ đến ")));
    assert!(closed.voided.iter().any(|v| v.starts_with("Sổ đi (mật) ")));
    // Another year is untouched.
    assert_eq!(numbering_year_of(&reg, year + 1).unwrap().closed_at, None);
}
