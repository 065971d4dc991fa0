//! "Trình lãnh đạo" is offered exactly when the register would accept the submission.
use chrono::NaiveDate;
use vanthu_core::offer::offers_submit_to_leader;
use vanthu_domain::Secrecy;
use vanthu_registry::{NewIncoming, NewOutgoing, Registry};

const UNIT: &str = "000.00.00.H34";

fn incoming(notation: &str, secrecy: Secrecy) -> NewIncoming {
    NewIncoming {
        sender: "000.00.00.G22".into(),
        notation: notation.into(),
        document_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        doc_type: "Công văn".into(),
        subject: "Trình lãnh đạo".into(),
        secrecy,
        ..Default::default()
    }
}

#[test]
fn the_offer_matches_what_submit_document_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit(UNIT, "UBND tỉnh Kon Tum").unwrap();
    let registered = reg
        .register_incoming(incoming("1/VPCP-KSTT", Secrecy::Normal))
        .unwrap()
        .id;
    let secret = reg
        .register_incoming(incoming("2/VPCP-KSTT", Secrecy::Secret))
        .unwrap()
        .id;
    let arrived = reg
        .receive_incoming(incoming("3/VPCP-KSTT", Secrecy::Normal))
        .unwrap()
        .id;
    let outgoing = reg
        .create_outgoing(NewOutgoing {
            notation: "UBND-VP".into(),
            doc_type: "Công văn".into(),
            subject: "Dự thảo".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let to = format!("{UNIT}/LD");
    for (id, offered) in [
        (registered, true),
        (secret, false),
        (arrived, false),
        // An outgoing draft goes to the leader as Trình ký, not Trình lãnh đạo.
        (outgoing, false),
    ] {
        assert_eq!(offers_submit_to_leader(&reg, id).unwrap(), offered, "{id}");
        if id != outgoing {
            assert_eq!(reg.submit_document(id, &to, None).is_ok(), offered, "{id}");
        }
    }
    assert!(offers_submit_to_leader(&reg, 9999).is_err());
}
