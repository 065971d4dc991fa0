//! The hub's behaviour over HTTP, against both storage backends. Every call's status is
//! also checked against docs/hub-openapi.json.
mod common;

use common::*;
use reqwest::Method;
use sha2::{Digest, Sha256};

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

both_backends!(
    authentication,
    send_is_idempotent_and_validated,
    fetch_with_range_and_ack,
    statuses_flow_back_in_order,
    secret_documents_are_refused,
    content_is_checked,
    size_limit,
    recall_update_replace,
    shared_database_two_processes,
    numbering_blocks_are_disjoint_and_idempotent,
    desktops_of_one_unit,
);

fn package(n: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">",
    );
    for i in 0..n {
        s.push_str(&format!("<Line n=\"{i}\">Văn bản số {i}</Line>"));
    }
    s.push_str("</edXML>");
    s.into_bytes()
}

fn send<'a>(hub: &'a TestHub, from: &'a str, id: &str, to: &str, body: Vec<u8>) -> Call<'a> {
    Call::new(Method::POST, "/v1/messages", "/v1/messages")
        .auth(from, &hub.secrets[from])
        .header("X-Message-Id", id)
        .header("X-Recipients", to)
        .header("X-Secrecy", "thuong")
        .header(
            "X-Document-Id",
            "000.00.00.H34%2C2024%2F03%2F05%2C412%2FVPCP-TT%C4%90T",
        )
        .body(body)
}

async fn inbox_ids(c: &Client, hub: &TestHub, who: &str) -> Vec<String> {
    let r = c
        .expect(
            Call::new(Method::GET, "/v1/inbox", "/v1/inbox").auth(who, &hub.secrets[who]),
            200,
        )
        .await;
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn authentication(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    c.expect(Call::new(Method::GET, "/v1/health", "/v1/health"), 200)
        .await;
    let r = c
        .expect(Call::new(Method::GET, "/v1/me", "/v1/me"), 401)
        .await;
    assert!(r.headers.get("www-authenticate").is_some());
    c.expect(
        Call::new(Method::GET, "/v1/me", "/v1/me").auth(A, "not-the-secret"),
        401,
    )
    .await;
    // Another agency's secret does not open A.
    c.expect(
        Call::new(Method::GET, "/v1/me", "/v1/me").auth(A, &hub.secrets[B]),
        401,
    )
    .await;
    let r = c
        .expect(
            Call::new(Method::GET, "/v1/me", "/v1/me").auth(A, &hub.secrets[A]),
            200,
        )
        .await;
    assert_eq!(r.json()["code"], A);
    assert_eq!(r.json()["name"], "UBND Tỉnh Kon Tum");
    // Secrets are stored hashed.
    let rec = vanthu_hub::HubStore::agency(&hub.store, A)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(rec.secret_hash, hub.secrets[A]);
    assert!(!rec.secret_hash.contains(&hub.secrets[A]));
}

async fn send_is_idempotent_and_validated(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    let body = package(10);
    let r = c
        .expect(
            send(&hub, A, "m-1", &format!("{B}, {C}"), body.clone()),
            201,
        )
        .await;
    let v = r.json();
    assert_eq!(v["replayed"], false);
    assert_eq!(v["message"]["sha256"], hex::encode(Sha256::digest(&body)));
    assert_eq!(
        v["message"]["document_id"],
        "000.00.00.H34,2024/03/05,412/VPCP-TTĐT"
    );
    let rcpt: Vec<_> = v["message"]["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["agency"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rcpt, vec![B.to_owned(), C.to_owned()]);
    // The same upload again (a retry after a lost response) is a replay, not a second copy.
    let r = c
        .expect(send(&hub, A, "m-1", &format!("{B},{C}"), body.clone()), 200)
        .await;
    assert_eq!(r.json()["replayed"], true);
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1"]);
    // Same id, different content: refused.
    c.expect(send(&hub, A, "m-1", B, package(11)), 409).await;
    // Same id from another agency: refused too.
    c.expect(send(&hub, D, "m-1", B, body.clone()), 409).await;
    c.expect(send(&hub, A, "m-2", "999.99.99.Z99", body.clone()), 422)
        .await;
    c.expect(send(&hub, A, "bad id with spaces", B, body.clone()), 400)
        .await;
    c.expect(send(&hub, A, "m-3", "", body.clone()), 400).await;
    c.expect(send(&hub, A, "m-4", B, Vec::new()), 400).await;
    c.expect(
        send(&hub, A, "m-5", B, body.clone()).header("X-Content-Sha256", "00".repeat(32)),
        400,
    )
    .await;
    c.expect(
        Call::new(Method::POST, "/v1/messages", "/v1/messages")
            .auth(A, &hub.secrets[A])
            .header("X-Recipients", B)
            .header("X-Secrecy", "thuong")
            .body(body.clone()),
        400,
    )
    .await;
    // Nothing of the refused uploads reached B.
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1"]);
}

async fn fetch_with_range_and_ack(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    let body = package(2000);
    c.expect(send(&hub, A, "m-1", &format!("{B},{C}"), body.clone()), 201)
        .await;
    let content = |who: &'static str| {
        Call::new(
            Method::GET,
            "/v1/messages/{id}/content",
            "/v1/messages/m-1/content",
        )
        .auth(who, &hub.secrets[who])
    };
    let full = c.expect(content(B), 200).await;
    assert_eq!(full.body.as_ref(), body.as_slice());
    assert_eq!(full.headers["accept-ranges"], "bytes");
    // A resumed download: first part, then the rest from an offset.
    let cut = body.len() / 3;
    let first = c
        .expect(
            content(B).header("Range", format!("bytes=0-{}", cut - 1)),
            206,
        )
        .await;
    let rest = c
        .expect(content(B).header("Range", format!("bytes={cut}-")), 206)
        .await;
    assert_eq!(
        rest.headers["content-range"],
        format!("bytes {cut}-{}/{}", body.len() - 1, body.len()).as_str()
    );
    let mut joined = first.body.to_vec();
    joined.extend_from_slice(&rest.body);
    assert_eq!(joined, body);
    c.expect(
        content(B).header("Range", format!("bytes={}-", body.len())),
        416,
    )
    .await;
    // D is neither sender nor recipient.
    c.expect(content(D), 404).await;
    c.expect(
        Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/m-1").auth(D, &hub.secrets[D]),
        404,
    )
    .await;
    c.expect(
        Call::new(
            Method::GET,
            "/v1/messages/{id}/content",
            "/v1/messages/nope/content",
        )
        .auth(B, &hub.secrets[B]),
        404,
    )
    .await;
    // Fetching does not dequeue; only ack does, and only for the acking agency.
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1"]);
    let ack = |who: &'static str| {
        Call::new(
            Method::POST,
            "/v1/messages/{id}/ack",
            "/v1/messages/m-1/ack",
        )
        .auth(who, &hub.secrets[who])
    };
    c.expect(ack(B), 204).await;
    c.expect(ack(B), 204).await; // idempotent
    c.expect(ack(D), 404).await;
    assert!(inbox_ids(&c, &hub, B).await.is_empty());
    assert_eq!(inbox_ids(&c, &hub, C).await, vec!["m-1"]);
    let m = c
        .expect(
            Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/m-1")
                .auth(A, &hub.secrets[A]),
            200,
        )
        .await
        .json();
    let recips = m["recipients"].as_array().unwrap();
    assert!(recips[0]["acked_at_ms"].is_i64() && recips[0]["fetched_at_ms"].is_i64());
    assert!(recips[1]["acked_at_ms"].is_null() && recips[1]["fetched_at_ms"].is_null());
    // Pagination by seq.
    for i in 0..5 {
        c.expect(send(&hub, A, &format!("p-{i}"), B, package(i + 1)), 201)
            .await;
    }
    let page = c
        .expect(
            Call::new(Method::GET, "/v1/inbox", "/v1/inbox?limit=2").auth(B, &hub.secrets[B]),
            200,
        )
        .await
        .json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let after = items[1]["seq"].as_i64().unwrap();
    let page2 = c
        .expect(
            Call::new(
                Method::GET,
                "/v1/inbox",
                format!("/v1/inbox?after={after}&limit=10"),
            )
            .auth(B, &hub.secrets[B]),
            200,
        )
        .await
        .json();
    let ids: Vec<_> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec!["p-2", "p-3", "p-4"]);

    // Batch acknowledgement: one request, per id acked or unknown; idempotent; only the
    // caller's own deliveries.
    let acks = |who: &'static str, ids: &[&str]| {
        Call::new(Method::POST, "/v1/acks", "/v1/acks")
            .auth(who, &hub.secrets[who])
            .header("Content-Type", "application/json")
            .body(serde_json::json!({ "ids": ids }).to_string())
    };
    let r = c.expect(acks(D, &["p-0"]), 200).await.json();
    assert_eq!(r["acked"], serde_json::json!([]));
    assert_eq!(r["unknown"], serde_json::json!(["p-0"]));
    let r = c
        .expect(acks(B, &["p-0", "nope", "m-1", "p-1"]), 200)
        .await
        .json();
    assert_eq!(r["acked"], serde_json::json!(["p-0", "m-1", "p-1"]));
    assert_eq!(r["unknown"], serde_json::json!(["nope"]));
    let r = c.expect(acks(B, &["p-0"]), 200).await.json();
    assert_eq!(r["acked"], serde_json::json!(["p-0"]));
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["p-2", "p-3", "p-4"]);
    // B's acknowledgements leave C's delivery of m-1 pending.
    assert_eq!(inbox_ids(&c, &hub, C).await, vec!["m-1"]);
    let too_many: Vec<String> = (0..=vanthu_hub::server::MAX_ACK_IDS)
        .map(|i| format!("x-{i}"))
        .collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    c.expect(acks(B, &too_many), 400).await;
    c.expect(acks(B, &[]).body("{\"ids\": 3}"), 400).await;
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["p-2", "p-3", "p-4"]);
}

fn status<'a>(hub: &'a TestHub, from: &'a str, of: &str, id: &str, code: &str) -> Call<'a> {
    Call::new(
        Method::POST,
        "/v1/messages/{id}/statuses",
        format!("/v1/messages/{of}/statuses"),
    )
    .auth(from, &hub.secrets[from])
    .header("X-Message-Id", id)
    .header("X-Status-Code", code)
    .body(format!(
        "<edXML><Status><StatusCode>{code}</StatusCode></Status></edXML>"
    ))
}

async fn statuses_flow_back_in_order(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    c.expect(send(&hub, A, "m-1", &format!("{B},{C}"), package(3)), 201)
        .await;
    c.expect(status(&hub, B, "m-1", "s-b-01", "01"), 201).await;
    c.expect(status(&hub, C, "m-1", "s-c-01", "01"), 201).await;
    c.expect(status(&hub, B, "m-1", "s-b-03", "03"), 201).await;
    c.expect(status(&hub, B, "m-1", "s-b-03", "03"), 200).await; // retry
    c.expect(status(&hub, C, "m-1", "s-c-02", "02"), 201).await;
    c.expect(status(&hub, D, "m-1", "s-d-01", "01"), 403).await;
    c.expect(status(&hub, B, "nope", "s-x", "01"), 404).await;
    c.expect(status(&hub, B, "m-1", "s-y", "1"), 400).await;
    c.expect(status(&hub, B, "s-b-01", "s-z", "01"), 400).await;
    let list = c
        .expect(
            Call::new(
                Method::GET,
                "/v1/messages/{id}/statuses",
                "/v1/messages/m-1/statuses",
            )
            .auth(A, &hub.secrets[A]),
            200,
        )
        .await
        .json();
    let got: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["from"].as_str().unwrap().to_owned(),
                s["status_code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [(B, "01"), (C, "01"), (B, "03"), (C, "02")]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec();
    assert_eq!(got, want);
    // A recipient sees only its own statuses; others see nothing.
    let own = c
        .expect(
            Call::new(
                Method::GET,
                "/v1/messages/{id}/statuses",
                "/v1/messages/m-1/statuses",
            )
            .auth(C, &hub.secrets[C]),
            200,
        )
        .await
        .json();
    assert_eq!(own["items"].as_array().unwrap().len(), 2);
    c.expect(
        Call::new(
            Method::GET,
            "/v1/messages/{id}/statuses",
            "/v1/messages/m-1/statuses",
        )
        .auth(D, &hub.secrets[D]),
        403,
    )
    .await;
    // The status packages are also delivered to A's queue, in order.
    assert_eq!(
        inbox_ids(&c, &hub, A).await,
        vec!["s-b-01", "s-c-01", "s-b-03", "s-c-02"]
    );
    // /v1/sent summarises per message.
    let sent = c
        .expect(
            Call::new(Method::GET, "/v1/sent", "/v1/sent").auth(A, &hub.secrets[A]),
            200,
        )
        .await
        .json();
    let items = sent["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["message"]["message_id"], "m-1");
    assert_eq!(items[0]["statuses"].as_array().unwrap().len(), 4);
}

async fn secret_documents_are_refused(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    for level in ["mat", "toi-mat", "tuyet-mat", "confidential", "3"] {
        let r = c
            .expect(
                send(&hub, A, &format!("s-{level}"), B, package(2)).header("X-Secrecy", level),
                422,
            )
            .await;
        let v = r.json();
        assert_eq!(v["error"], "secret_refused");
        assert!(v["message"].as_str().unwrap().contains("mật"));
    }
    // X-Secrecy is mandatory: a package without a declaration is not guessed to be normal.
    c.expect(
        Call::new(Method::POST, "/v1/messages", "/v1/messages")
            .auth(A, &hub.secrets[A])
            .header("X-Message-Id", "s-none")
            .header("X-Recipients", B)
            .body(package(2)),
        400,
    )
    .await;
    c.expect(
        send(&hub, A, "s-odd", B, package(2)).header("X-Secrecy", "maybe"),
        400,
    )
    .await;
    assert!(inbox_ids(&c, &hub, B).await.is_empty());
}

/// An edXML header naming `from`, with `extra` inside MessageHeader.
fn edxml_from(from: &str, extra: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"><edXML:edXMLHeader><edXML:MessageHeader><edXML:From><edXML:OrganId>{from}</edXML:OrganId><edXML:OrganName>Đơn vị</edXML:OrganName></edXML:From>{extra}<edXML:Subject>Báo cáo</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>"
    )
    .into_bytes()
}

/// The hub reads just enough of the package (a bounded header scan, no DTD): the sender it
/// names must be the authenticated account unless that account is a relay, and a header
/// marked mật is refused whatever X-Secrecy says (docs/hub-api.md, "What the hub checks").
async fn content_is_checked(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    // A writes a package in B's name: refused, nothing stored.
    let r = c
        .expect(send(&hub, A, "f-1", C, edxml_from(B, "")), 422)
        .await
        .json();
    assert_eq!(r["error"], "sender_mismatch");
    let msg = r["message"].as_str().unwrap();
    assert!(
        msg.contains("không khớp tài khoản trục") && msg.contains(B),
        "{msg}"
    );
    // Its own name is fine.
    c.expect(send(&hub, A, "f-2", C, edxml_from(A, "")), 201)
        .await;
    // Marked mật in the header, declared thường: refused on the content.
    for marking in [
        "<edXML:OtherInfo><edXML:SphereOfPromulgation>Mật</edXML:SphereOfPromulgation></edXML:OtherInfo>",
        "<SecurityLevel>tuyệt mật</SecurityLevel>",
    ] {
        let r = c
            .expect(
                send(&hub, A, "s-1", C, edxml_from(A, marking)).header("X-Secrecy", "thuong"),
                422,
            )
            .await
            .json();
        assert_eq!(r["error"], "secret_refused", "{marking}");
    }
    // A DTD is not resolved, the package is refused.
    let dtd = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"M\">]><x>&e;</x>".to_vec();
    let r = c.expect(send(&hub, A, "d-1", C, dtd), 422).await.json();
    assert_eq!(r["error"], "unreadable_header");
    // A recall in another agency's name is refused like a new package.
    let recall = Call::new(
        Method::POST,
        "/v1/messages/{id}/recall",
        "/v1/messages/f-2/recall",
    )
    .auth(A, &hub.secrets[A])
    .header("X-Message-Id", "r-1")
    .header("X-Secrecy", "thuong")
    .body(edxml_from(B, ""));
    assert_eq!(
        c.expect(recall, 422).await.json()["error"],
        "sender_mismatch"
    );
    assert_eq!(inbox_ids(&c, &hub, C).await, vec!["f-2"]);

    // A relay account forwards packages written by others; the receiver is told.
    vanthu_hub::HubStore::set_relay(&hub.store, D, true)
        .await
        .unwrap();
    c.expect(send(&hub, D, "g-1", C, edxml_from(B, "")), 201)
        .await;
    let items = c
        .expect(
            Call::new(Method::GET, "/v1/inbox", "/v1/inbox").auth(C, &hub.secrets[C]),
            200,
        )
        .await
        .json();
    let items = items["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["sender"], A);
    assert!(items[0].get("relay").is_none(), "absent = false");
    assert_eq!(items[1]["sender"], D);
    assert_eq!(items[1]["relay"], true);
    let listed = vanthu_hub::HubStore::agency(&hub.store, D)
        .await
        .unwrap()
        .unwrap();
    assert!(listed.relay);
    // Off again: D speaks only for itself.
    vanthu_hub::HubStore::set_relay(&hub.store, D, false)
        .await
        .unwrap();
    c.expect(send(&hub, D, "g-2", C, edxml_from(B, "")), 422)
        .await;
}

async fn size_limit(backend: Backend) {
    let hub = start_hub(
        backend,
        vanthu_hub::Config {
            max_package_bytes: 10_000,
            ..Default::default()
        },
    )
    .await;
    let c = Client::new(&hub.url);
    let big = package(1000);
    assert!(big.len() > 10_000);
    let r = c.expect(send(&hub, A, "big", B, big), 413).await;
    assert_eq!(r.json()["error"], "too_large");
    c.expect(send(&hub, A, "small", B, package(5)), 201).await;
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["small"]);
}

async fn recall_update_replace(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let c = Client::new(&hub.url);
    c.expect(send(&hub, A, "m-1", &format!("{B},{C}"), package(3)), 201)
        .await;
    let op = |op: &'static str, who: &'static str, id: &str| {
        let template = match op {
            "recall" => "/v1/messages/{id}/recall",
            "update" => "/v1/messages/{id}/update",
            _ => "/v1/messages/{id}/replace",
        };
        Call::new(Method::POST, template, format!("/v1/messages/m-1/{op}"))
            .auth(who, &hub.secrets[who])
            .header("X-Message-Id", id)
            .header("X-Secrecy", "thuong")
            .body(package(4))
    };
    // Only the sender may act on its document.
    c.expect(op("recall", B, "r-b"), 403).await;
    let r = c.expect(op("recall", A, "r-1"), 201).await.json();
    assert_eq!(r["message"]["business"], "revoke");
    assert_eq!(r["message"]["related"], "m-1");
    c.expect(op("recall", A, "r-1"), 200).await;
    let u = c
        .expect(op("update", A, "u-1").header("X-Recipients", D), 201)
        .await
        .json();
    assert_eq!(u["message"]["business"], "update");
    assert_eq!(u["message"]["recipients"].as_array().unwrap().len(), 3);
    let p = c
        .expect(op("replace", A, "p-1").header("X-Recipients", C), 201)
        .await
        .json();
    assert_eq!(p["message"]["business"], "replace");
    assert_eq!(p["message"]["recipients"].as_array().unwrap().len(), 1);
    c.expect(op("replace", A, "p-2").header("X-Secrecy", "mat"), 422)
        .await;
    c.expect(
        Call::new(
            Method::POST,
            "/v1/messages/{id}/recall",
            "/v1/messages/none/recall",
        )
        .auth(A, &hub.secrets[A])
        .header("X-Message-Id", "r-9")
        .header("X-Secrecy", "thuong")
        .body(package(1)),
        404,
    )
    .await;
    // Nothing is deleted: B still has the original, followed by the recall and the update.
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1", "r-1", "u-1"]);
    assert_eq!(
        inbox_ids(&c, &hub, C).await,
        vec!["m-1", "r-1", "u-1", "p-1"]
    );
    assert_eq!(inbox_ids(&c, &hub, D).await, vec!["u-1"]);
}

/// Two hub "processes" (separate stores, separate ports) over one database: a message sent
/// through one is delivered by the other, and a concurrent duplicate upload of one message id
/// through both yields exactly one message.
async fn shared_database_two_processes(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let second_store = vanthu_hub::AnyStore::open(&hub.db).await.unwrap();
    let second_url = serve_store(second_store, Default::default()).await;
    let c1 = Client::new(&hub.url);
    let c2 = Client::new(&second_url);
    c1.expect(send(&hub, A, "m-1", B, package(3)), 201).await;
    assert_eq!(inbox_ids(&c2, &hub, B).await, vec!["m-1"]);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = if i % 2 == 0 {
            hub.url.clone()
        } else {
            second_url.clone()
        };
        let secret = hub.secrets[A].clone();
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{url}/v1/messages"))
                .basic_auth(A, Some(secret))
                .header("X-Message-Id", "dup")
                .header("X-Recipients", C)
                .header("X-Secrecy", "thuong")
                .body(package(7))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(inbox_ids(&c1, &hub, C).await, vec!["dup"]);
}

fn block<'a>(hub: &'a TestHub, who: &'a str, request_id: &str, size: u32) -> Call<'a> {
    Call::new(Method::POST, "/v1/numbering/blocks", "/v1/numbering/blocks")
        .auth(who, &hub.secrets[who])
        .header("Content-Type", "application/json")
        .body(
            serde_json::json!({
                "request_id": request_id, "desktop": "VT1", "register": "incoming",
                "series": "normal", "year": 2026, "size": size,
            })
            .to_string(),
        )
}

/// Blocks of one unit's register never overlap, even when requested concurrently through
/// two hub processes; a retried request gets its first block back; other units count apart.
async fn numbering_blocks_are_disjoint_and_idempotent(backend: Backend) {
    let hub = start_hub(backend, Default::default()).await;
    let second_url = serve_store(
        vanthu_hub::AnyStore::open(&hub.db).await.unwrap(),
        Default::default(),
    )
    .await;
    let c = Client::new(&hub.url);
    let first = c.expect(block(&hub, A, "rq-1", 5), 201).await.json();
    assert_eq!(first["replayed"], false);
    assert_eq!(first["block"]["start"], 1);
    assert_eq!(first["block"]["size"], 5);
    let again = c.expect(block(&hub, A, "rq-1", 5), 200).await.json();
    assert_eq!(again["replayed"], true);
    assert_eq!(again["block"], first["block"]);
    c.expect(block(&hub, A, "rq-1", 6), 409).await;
    c.expect(block(&hub, A, "rq-0", 0), 400).await;
    c.expect(block(&hub, A, "bad id", 5), 400).await;
    c.expect(
        Call::new(Method::POST, "/v1/numbering/blocks", "/v1/numbering/blocks")
            .auth(A, &hub.secrets[A])
            .body("{not json"),
        400,
    )
    .await;
    // Another unit has its own registers.
    let other = c.expect(block(&hub, B, "rq-1", 3), 201).await.json();
    assert_eq!(other["block"]["start"], 1);

    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let url = if i % 2 == 0 {
            hub.url.clone()
        } else {
            second_url.clone()
        };
        let secret = hub.secrets[A].clone();
        tasks.push(tokio::spawn(async move {
            let size = 1 + i % 4;
            let r: serde_json::Value = reqwest::Client::new()
                .post(format!("{url}/v1/numbering/blocks"))
                .basic_auth(A, Some(secret))
                .json(&serde_json::json!({
                    "request_id": format!("c-{i}"), "desktop": format!("D{i}"),
                    "register": "incoming", "series": "normal", "year": 2026, "size": size,
                }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (r["block"]["start"].as_i64().unwrap(), size as i64)
        }));
    }
    let mut ranges = vec![(1i64, 5i64)];
    for t in tasks {
        ranges.push(t.await.unwrap());
    }
    ranges.sort();
    // Disjoint and, since every reservation succeeded, contiguous from 1.
    let mut next = 1;
    for (start, size) in &ranges {
        assert_eq!(*start, next, "blocks {ranges:?}");
        next = start + size;
    }
    let listed = c
        .expect(
            Call::new(Method::GET, "/v1/numbering/blocks", "/v1/numbering/blocks")
                .auth(A, &hub.secrets[A]),
            200,
        )
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 17);
}

async fn add_desktop(hub: &mut TestHub, unit: &str, desktop: &str, receiving: bool) -> String {
    let (rec, secret) = vanthu_hub::auth::new_desktop(unit, desktop, receiving);
    let login = rec.login();
    vanthu_hub::HubStore::add_desktop(&hub.store, rec)
        .await
        .unwrap();
    hub.secrets.insert(login.clone(), secret);
    login
}

/// Desktops of one unit (docs/sync.md, "Several desktops of one unit"): the receiving
/// desktop gets the unit's deliveries and answers for the unit; internal messages go between
/// desktops of one unit only; the unit's own account keeps working.
async fn desktops_of_one_unit(backend: Backend) {
    let mut hub = start_hub(backend, Default::default()).await;
    let vt = add_desktop(&mut hub, B, "VT", true).await;
    let ld = add_desktop(&mut hub, B, "LD", false).await;
    let cvt = add_desktop(&mut hub, C, "VT", true).await;
    assert_eq!(vt, format!("{B}/VT"));
    // Unknown unit, duplicate desktop.
    let (rec, _) = vanthu_hub::auth::new_desktop("999.99.99.H99", "VT", true);
    assert!(matches!(
        vanthu_hub::HubStore::add_desktop(&hub.store, rec).await,
        Err(vanthu_hub::StoreError::UnknownAgency(_))
    ));
    let (rec, _) = vanthu_hub::auth::new_desktop(B, "LD", false);
    assert!(matches!(
        vanthu_hub::HubStore::add_desktop(&hub.store, rec).await,
        Err(vanthu_hub::StoreError::DesktopExists(_))
    ));
    let stored = vanthu_hub::HubStore::desktop(&hub.store, B, "VT")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.secret_hash, hub.secrets[&vt]);
    assert!(stored.receiving);
    let c = Client::new(&hub.url);
    let me = c
        .expect(
            Call::new(Method::GET, "/v1/me", "/v1/me").auth(&vt, &hub.secrets[&vt]),
            200,
        )
        .await
        .json();
    assert_eq!(me["code"], B);
    assert_eq!(me["desktop"], "VT");
    assert_eq!(me["receiving"], true);
    let me = c
        .expect(
            Call::new(Method::GET, "/v1/me", "/v1/me").auth(&ld, &hub.secrets[&ld]),
            200,
        )
        .await
        .json();
    assert_eq!(me["receiving"], false);
    // One desktop's secret does not open another, nor the unit.
    c.expect(
        Call::new(Method::GET, "/v1/me", "/v1/me").auth(&vt, &hub.secrets[&ld]),
        401,
    )
    .await;
    c.expect(
        Call::new(Method::GET, "/v1/me", "/v1/me").auth(B, &hub.secrets[&vt]),
        401,
    )
    .await;

    // A → B reaches the văn thư's desktop (and still the unit's own account), not the leader.
    c.expect(send(&hub, A, "m-1", B, package(2)), 201).await;
    assert_eq!(inbox_ids(&c, &hub, &vt).await, vec!["m-1"]);
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1"]);
    assert!(inbox_ids(&c, &hub, &ld).await.is_empty());
    // The receiving desktop answers for the unit: A sees the status from B.
    c.expect(status(&hub, &vt, "m-1", "st03-m-1", "03"), 201)
        .await;
    let sts = c
        .expect(
            Call::new(
                Method::GET,
                "/v1/messages/{id}/statuses",
                "/v1/messages/m-1/statuses",
            )
            .auth(A, &hub.secrets[A]),
            200,
        )
        .await
        .json();
    assert_eq!(sts["items"][0]["from"], B);

    // Trình: VT → LD, internal.
    c.expect(send(&hub, &vt, "sub-1", &ld, package(3)), 201)
        .await;
    assert_eq!(inbox_ids(&c, &hub, &ld).await, vec!["sub-1"]);
    assert_eq!(inbox_ids(&c, &hub, &vt).await, vec!["m-1"]);
    assert_eq!(inbox_ids(&c, &hub, B).await, vec!["m-1"]);
    let info = c
        .expect(
            Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/sub-1")
                .auth(&ld, &hub.secrets[&ld]),
            200,
        )
        .await
        .json();
    assert_eq!(info["sender"], vt.as_str());
    // Nobody outside the unit sees it.
    c.expect(
        Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/sub-1").auth(A, &hub.secrets[A]),
        404,
    )
    .await;
    c.expect(
        Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/sub-1")
            .auth(&cvt, &hub.secrets[&cvt]),
        404,
    )
    .await;
    // The leader's answer goes back to VT only, from LD.
    c.expect(status(&hub, &ld, "sub-1", "ds04-sub-1", "04"), 201)
        .await;
    let vt_inbox = inbox_ids(&c, &hub, &vt).await;
    assert_eq!(vt_inbox, vec!["m-1", "ds04-sub-1"]);
    let st = c
        .expect(
            Call::new(Method::GET, "/v1/messages/{id}", "/v1/messages/ds04-sub-1")
                .auth(&vt, &hub.secrets[&vt]),
            200,
        )
        .await
        .json();
    assert_eq!(st["sender"], ld.as_str());
    assert!(inbox_ids(&c, &hub, B).await == vec!["m-1"]);
    // Acks: VT acknowledges from both of its queues; the unit's account sees m-1 gone too.
    for id in ["m-1", "ds04-sub-1"] {
        c.expect(
            Call::new(
                Method::POST,
                "/v1/messages/{id}/ack",
                format!("/v1/messages/{id}/ack"),
            )
            .auth(&vt, &hub.secrets[&vt]),
            204,
        )
        .await;
    }
    assert!(inbox_ids(&c, &hub, &vt).await.is_empty());
    assert!(inbox_ids(&c, &hub, B).await.is_empty());
    c.expect(
        Call::new(
            Method::POST,
            "/v1/messages/{id}/ack",
            "/v1/messages/sub-1/ack",
        )
        .auth(&vt, &hub.secrets[&vt]),
        404,
    )
    .await;

    // The rules: the leader's desktop does not send outside, nobody addresses another
    // unit's desktops, the unit's own account sends no internal messages, no mixing.
    c.expect(send(&hub, &ld, "x-1", A, package(1)), 403).await;
    c.expect(send(&hub, &vt, "x-2", &cvt, package(1)), 403)
        .await;
    c.expect(send(&hub, A, "x-3", &ld, package(1)), 403).await;
    c.expect(send(&hub, B, "x-4", &ld, package(1)), 403).await;
    c.expect(
        send(&hub, &vt, "x-5", &format!("{A},{ld}"), package(1)),
        400,
    )
    .await;
    c.expect(
        send(&hub, &vt, "x-6", &format!("{B}/NOPE"), package(1)),
        422,
    )
    .await;
    // Secret documents stay off the hub, internal or not.
    c.expect(
        send(&hub, &vt, "x-7", &ld, package(1)).header("X-Secrecy", "mat"),
        422,
    )
    .await;
    // Number blocks are the unit's, whichever desktop asks.
    let first = c.expect(block(&hub, &ld, "rq-ld", 5), 201).await.json();
    assert_eq!(first["block"]["agency"], B);
    let second = c.expect(block(&hub, B, "rq-b", 5), 201).await.json();
    assert_eq!(second["block"]["start"], 6);
    // Taking the receiving role moves it.
    let vt2 = add_desktop(&mut hub, B, "VT2", true).await;
    let old = vanthu_hub::HubStore::desktop(&hub.store, B, "VT")
        .await
        .unwrap()
        .unwrap();
    assert!(!old.receiving);
    c.expect(send(&hub, A, "m-2", B, package(2)), 201).await;
    assert_eq!(inbox_ids(&c, &hub, &vt2).await, vec!["m-2"]);
    assert!(inbox_ids(&c, &hub, &vt).await.is_empty());
}

#[test]
fn openapi_lists_exactly_the_router_routes() {
    let api = OpenApi::load();
    let mut documented = api.paths();
    documented.sort();
    let mut routes: Vec<(String, String)> = vanthu_hub::server::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);
}

/// Every route listed in `ROUTES` (and so in the OpenAPI file) is really served: without
/// credentials it answers 401 with a JSON error, not the router's bare 404.
#[tokio::test]
async fn every_listed_route_is_served() {
    let hub = start_hub(Backend::Sqlite, Default::default()).await;
    let http = reqwest::Client::new();
    for (method, template) in vanthu_hub::server::ROUTES {
        let path = template.replace("{id}", "x");
        let resp = http
            .request(method.parse().unwrap(), format!("{}{path}", hub.url))
            .send()
            .await
            .unwrap();
        let want = if *template == "/v1/health" { 200 } else { 401 };
        assert_eq!(resp.status().as_u16(), want, "{method} {template}");
    }
    let resp = http
        .get(format!("{}/v1/not-a-route", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}
