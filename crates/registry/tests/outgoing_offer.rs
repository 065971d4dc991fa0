//! What an outgoing document offers next (`outgoing_offer::offered_outgoing`): the same
//! rules the actions enforce, so the UI never shows a button that must fail.
use vanthu_domain::Secrecy;
use vanthu_registry::outgoing_offer::{offered_outgoing, DeskPosition, OutgoingOffer};
use vanthu_registry::{NewOutgoing, Registry};

fn fresh() -> (tempfile::TempDir, Registry) {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    (dir, reg)
}

fn draft(reg: &mut Registry, pdf: bool, secrecy: Secrecy, recipients: &[&str]) -> i64 {
    let src = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    if pdf {
        let p = src.path().join("dự thảo.pdf");
        std::fs::write(&p, "%PDF-1.7\n% draft\n").unwrap();
        files.push(p);
    }
    reg.create_outgoing(NewOutgoing {
        notation: "UBND-VP".into(),
        doc_type: "Công văn".into(),
        subject: "Về việc thử".into(),
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        secrecy,
        files,
        ..Default::default()
    })
    .unwrap()
    .id
}

const HERE: DeskPosition = DeskPosition {
    mirror: false,
    awaiting_leader: false,
};

#[test]
fn a_draft_with_a_pdf_offers_issue_and_trinh_ky_but_not_send() {
    let (_d, mut reg) = fresh();
    let id = draft(&mut reg, true, Secrecy::Normal, &["000.00.00.G09"]);
    let rec = reg.get(id).unwrap();
    assert_eq!(
        offered_outgoing(&rec, HERE),
        OutgoingOffer {
            issue: true,
            send: false,
            submit_for_signing: true,
            provisional_number: false,
            recall: false,
            revise: false,
        }
    );
    // Waiting on the leader's desktop: not submitted twice.
    let waiting = DeskPosition {
        awaiting_leader: true,
        ..HERE
    };
    assert!(!offered_outgoing(&rec, waiting).submit_for_signing);
    // The leader's mirror offers nothing of the clerk's.
    let mirror = DeskPosition {
        mirror: true,
        ..HERE
    };
    assert_eq!(offered_outgoing(&rec, mirror), OutgoingOffer::default());
}

#[test]
fn without_a_pdf_or_when_secret_there_is_no_trinh_ky() {
    let (_d, mut reg) = fresh();
    let no_pdf = draft(&mut reg, false, Secrecy::Normal, &["000.00.00.G09"]);
    assert!(!offered_outgoing(&reg.get(no_pdf).unwrap(), HERE).submit_for_signing);
    let secret = draft(&mut reg, true, Secrecy::Confidential, &["000.00.00.G09"]);
    let offer = offered_outgoing(&reg.get(secret).unwrap(), HERE);
    assert!(offer.issue);
    assert!(!offer.submit_for_signing);
}

#[test]
fn an_issued_document_offers_send_only_when_the_hub_can_take_it() {
    let (_d, mut reg) = fresh();
    let date = "2026-12-07".parse().unwrap();
    let ok = draft(
        &mut reg,
        true,
        Secrecy::Normal,
        &["000.00.00.G09", "Lưu: VT"],
    );
    reg.issue_outgoing(ok, date).unwrap();
    let rec = reg.get(ok).unwrap();
    let offer = offered_outgoing(&rec, HERE);
    assert!(offer.send && !offer.issue && !offer.submit_for_signing);
    // The same refusal queue_dispatch gives: nothing is offered that it would refuse.
    let uncoded = draft(&mut reg, true, Secrecy::Normal, &["Lưu: VT"]);
    reg.issue_outgoing(uncoded, date).unwrap();
    assert!(!offered_outgoing(&reg.get(uncoded).unwrap(), HERE).send);
    assert!(reg.queue_dispatch(uncoded).is_err());

    let secret = draft(&mut reg, true, Secrecy::Secret, &["000.00.00.G09"]);
    reg.issue_outgoing(secret, date).unwrap();
    assert!(!offered_outgoing(&reg.get(secret).unwrap(), HERE).send);
    assert!(reg.queue_dispatch(secret).is_err());

    // A Số tạm waits for the hub's block before it can be sent.
    let mut provisional = reg.get(ok).unwrap();
    provisional.number = None;
    provisional.provisional_number = Some("T-VT1-3".into());
    let offer = offered_outgoing(&provisional, HERE);
    assert!(offer.provisional_number);
    assert!(!offer.send);

    // Once queued it is no longer "issued": nothing more to offer.
    reg.queue_dispatch(ok).unwrap();
    assert_eq!(
        offered_outgoing(&reg.get(ok).unwrap(), HERE),
        OutgoingOffer::default()
    );
    // Once the hub took it, it may be recalled (and asked again after a refusal); never on
    // the leader's copy.
    reg.mark_dispatched(ok, date).unwrap();
    let sent = reg.get(ok).unwrap();
    assert_eq!(
        offered_outgoing(&sent, HERE),
        OutgoingOffer {
            recall: true,
            revise: true,
            ..OutgoingOffer::default()
        }
    );
    let mirror = DeskPosition {
        mirror: true,
        ..HERE
    };
    assert!(!offered_outgoing(&sent, mirror).recall);
    assert!(!offered_outgoing(&sent, mirror).revise);
    reg.recall_outgoing(ok, "Gửi nhầm").unwrap();
    let offer = offered_outgoing(&reg.get(ok).unwrap(), HERE);
    assert!(!offer.recall);
    assert!(!offer.revise, "no update while a recall waits");
}
