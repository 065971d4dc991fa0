//! The JSON contract of `vanthu edxml inspect --json` and `vanthu edxml status --json`, relied
//! on by other tools: keys are fixed here, absent values are `null`, dates `YYYY-MM-DD`,
//! timestamps RFC 3339 with offset.
use serde_json::{json, Value};

use crate::dates::{iso_date, iso_timestamp};
use crate::model::*;
use crate::read::{Package, ReadAttachment};

/// An organisation as the CLI JSON object.
pub fn organization(o: &Organization) -> Value {
    json!({
        "organ_id": o.organ_id,
        "organ_name": o.organ_name,
        "organ_in_charge": o.organ_in_charge,
        "organ_add": o.organ_add,
        "email": o.email,
        "telephone": o.telephone,
        "fax": o.fax,
        "website": o.website,
    })
}

fn date(d: Option<chrono::NaiveDate>) -> Value {
    d.map(|d| Value::String(iso_date(d))).unwrap_or(Value::Null)
}

fn ts(t: &Option<chrono::DateTime<chrono::FixedOffset>>) -> Value {
    t.as_ref()
        .map(|t| Value::String(iso_timestamp(t)))
        .unwrap_or(Value::Null)
}

/// A `ResponseFor` as the CLI JSON object (dates in ISO form).
pub fn response_for(r: &ResponseFor) -> Value {
    json!({
        "organ_id": r.organ_id,
        "code": r.code,
        "promulgation_date": date(r.promulgation_date),
        "document_id": r.document_id,
    })
}

/// Staff contact as the CLI JSON object, `null` when absent.
pub fn staff(s: &Option<StaffInfo>) -> Value {
    match s {
        Some(s) => json!({
            "department": s.department,
            "staff": s.staff,
            "mobile": s.mobile,
            "email": s.email,
        }),
        None => Value::Null,
    }
}

fn business(b: &Business) -> Value {
    json!({
        "document_id": b.document_id,
        "doc_type": b.doc_type,
        "reason": b.reason,
        "paper": b.paper,
        "staff": staff(&b.staff),
        "document_info": b.document_info,
        "document_receiver": b.document_receiver,
        "receivers": b.receivers.iter().map(|r| json!({
            "receiver_type": r.receiver_type,
            "organ_id": r.organ_id,
        })).collect::<Vec<_>>(),
        "replacements": b.replacements.iter().map(|r| json!({
            "document_id": r.document_id,
            "organ_ids": r.organ_ids,
        })).collect::<Vec<_>>(),
    })
}

/// An attachment's metadata, size, hash and state as the CLI JSON object.
pub fn attachment(a: &ReadAttachment) -> Value {
    json!({
        "name": a.meta.name,
        "content_type": a.meta.content_type,
        "description": a.meta.description,
        "size": a.size,
        "sha256": a.sha256,
        "broken": a.broken,
    })
}

/// A package header as the CLI JSON object (dates in ISO form).
pub fn header(h: &Header) -> Value {
    json!({
        "document_id": h.document_id,
        "from": organization(&h.from),
        "to": h.to.iter().map(organization).collect::<Vec<_>>(),
        "code": {"number": h.code.number, "notation": h.code.notation},
        "promulgation": {"place": h.promulgation.place, "date": date(h.promulgation.date)},
        "document_type": {"type": h.document_type.type_code, "type_name": h.document_type.type_name},
        "subject": h.subject,
        "content": h.content,
        "signer": {
            "competence": h.signer.competence,
            "position": h.signer.position,
            "full_name": h.signer.full_name,
        },
        "due_date": date(h.due_date),
        "steering_type": h.steering_type,
        "to_places": h.to_places,
        "other_info": h.other_info.as_ref().map(|o| json!({
            "priority": o.priority,
            "sphere_of_promulgation": o.sphere_of_promulgation,
            "typer_notation": o.typer_notation,
            "promulgation_amount": o.promulgation_amount,
            "page_amount": o.page_amount,
            "appendixes": o.appendixes,
        })),
        "response_for": h.response_for.iter().map(response_for).collect::<Vec<_>>(),
        "business": h.business.as_ref().map(business),
        "trace": h.trace.iter().map(|t| json!({
            "organ_id": t.organ_id,
            "timestamp": ts(&t.timestamp),
        })).collect::<Vec<_>>(),
    })
}

/// `vanthu edxml inspect --json`.
pub fn inspect(p: &Package) -> Value {
    let mut v = header(&p.header);
    v["attachments"] = p.attachments.iter().map(attachment).collect();
    v
}

/// `vanthu edxml status --json`.
pub fn status(s: &StatusMessage) -> Value {
    json!({
        "status_code": s.status_code,
        "description": s.description,
        "timestamp": ts(&s.timestamp),
        "from": organization(&s.from),
        "response_for": response_for(&s.response_for),
        "staff": staff(&s.staff),
    })
}
