//! The hub's VXP API (the official SDK's, docs/national-axis.md §2) at the HTTP level: the
//! signature, the timestamp window, the body's `hash-file`, the sender rule, the limits shared
//! with `/v1`. The official jar itself is exercised by scripts/test.d/46-vxp-sdk.sh.
mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use vanthu_hub::limits::AuthLimits;
use vanthu_hub::model::now_ms;
use vanthu_hub::store::VxpSystemRecord;
use vanthu_hub::vxp::{format_timestamp, sdk_file_hash, sign};
use vanthu_hub::HubStore;

/// Built by the official EdXmlBuilder: From 000.00.00.G22, To 000.01.20.H34 and 000.00.00.H41.
const PACKAGE: &[u8] = include_bytes!("../../edxml/tests/data/official/update.edxml");
/// A status by the official StatusXmlBuilder, From 000.01.20.H34.
const STATUS: &[u8] = include_bytes!("../../edxml/tests/data/official/status-04.edxml");
const G22: &str = "000.00.00.G22";
const H41: &str = "000.00.00.H41";
const SECRET: &str = "s3cr3t-of-g22";

/// A hub with the package's sender and recipients, and VXP credentials for G22 (`sys-g22`),
/// B (`sys-b`) and H41 (`sys-h41`).
async fn hub(cfg: vanthu_hub::Config) -> TestHub {
    let hub = start_hub(Backend::Sqlite, cfg).await;
    for (code, name) in [(G22, "Văn phòng Chính phủ"), (H41, "UBND Tỉnh Nghệ An")] {
        hub.store
            .add_agency(vanthu_hub::auth::new_agency(code, name).0)
            .await
            .unwrap();
    }
    for (id, agency) in [("sys-g22", G22), ("sys-b", B), ("sys-h41", H41)] {
        hub.store
            .add_vxp_system(VxpSystemRecord {
                system_id: id.into(),
                agency: agency.into(),
                secret: SECRET.into(),
            })
            .await
            .unwrap();
    }
    hub
}

/// One request signed as the SDK signs it; `tamper` changes a header after signing.
struct Call<'a> {
    path: &'a str,
    system: &'a str,
    secret: &'a str,
    at_ms: i64,
    params: Vec<(&'a str, String)>,
    tamper: Option<(&'a str, &'a str)>,
    body: Vec<u8>,
}

impl<'a> Call<'a> {
    fn new(path: &'a str, system: &'a str) -> Call<'a> {
        Call {
            path,
            system,
            secret: SECRET,
            at_ms: now_ms(),
            params: Vec::new(),
            tamper: None,
            body: Vec::new(),
        }
    }
    fn param(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }
    fn send_package(path: &'a str, system: &'a str, file: &[u8], body: Vec<u8>) -> Call<'a> {
        let mut c = Call::new(path, system).param("hash-file", sdk_file_hash(file));
        c.body = body;
        c
    }
    async fn run(self, hub: &TestHub) -> (StatusCode, Value) {
        let mut fields = serde_json::Map::new();
        let mut all = vec![
            ("timestamp", format_timestamp(self.at_ms)),
            ("systemid", self.system.to_owned()),
        ];
        all.extend(self.params);
        for (k, v) in &all {
            fields.insert(format!("XroadVnpt-{k}"), Value::String(v.clone()));
        }
        let signed = Value::Object(fields).to_string();
        let mut req = reqwest::Client::new()
            .post(format!("{}/vxp{}", hub.url, self.path))
            .header("XroadVnpt-sign-header", &signed)
            .header(
                "XroadVnpt-hash-header",
                sign(self.secret, signed.as_bytes()),
            )
            .body(self.body);
        for (k, v) in &all {
            let v = match self.tamper {
                Some((name, other)) if name == *k => other.to_owned(),
                _ => v.clone(),
            };
            req = req.header(format!("XroadVnpt-{k}"), v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}

#[tokio::test]
async fn the_sdk_protocol_sends_lists_fetches_and_acknowledges() {
    let hub = hub(Default::default()).await;
    // The SDK's body is the file and a CRLF; a client sending the file alone gets the same id.
    let mut with_crlf = PACKAGE.to_vec();
    with_crlf.extend_from_slice(b"\r\n");
    let (s, first) = Call::send_package("/sendEdoc", "sys-g22", PACKAGE, with_crlf)
        .run(&hub)
        .await;
    assert_eq!(
        (s, first["ErrorCode"].as_str()),
        (StatusCode::OK, Some("0")),
        "{first}"
    );
    let (s, again) = Call::send_package("/sendEdoc", "sys-g22", PACKAGE, PACKAGE.to_vec())
        .run(&hub)
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    let id = first["DocId"].as_str().unwrap().to_owned();
    assert_eq!(again["DocId"].as_str(), Some(id.as_str()));
    let m = hub.store.message(&id).await.unwrap().unwrap();
    assert_eq!(m.sender, G22);
    assert_eq!(m.business, vanthu_hub::model::Business::Update);
    let mut to: Vec<_> = m.recipients.iter().map(|d| d.agency.as_str()).collect();
    to.sort();
    assert_eq!(to, [H41, B]);

    // B lists it once, fetches the exact bytes, marks it done; then it is gone.
    let (_, list) = Call::new("/getReceivedEdocList", "sys-b")
        .param("messagetype", "edoc")
        .run(&hub)
        .await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(
        (data[0]["docId"].as_str(), data[0]["from"].as_str()),
        (Some(id.as_str()), Some(G22))
    );
    let (_, got) = Call::new("/getEdoc", "sys-b")
        .param("docId", &id)
        .run(&hub)
        .await;
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(got["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, PACKAGE);
    let (s, _) = Call::new("/updateStatus", "sys-b")
        .param("docId", &id)
        .param("status", "done")
        .run(&hub)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = Call::new("/getReceivedEdocList", "sys-b").run(&hub).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    let (_, sent) = Call::new("/getSentEdocList", "sys-g22").run(&hub).await;
    let states: Vec<_> = sent["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["toCode"].as_str().unwrap().to_owned(),
                e["receiveStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(B.to_owned(), "done".to_owned())),
        "{sent}"
    );
    assert!(
        states.contains(&(H41.to_owned(), "initial".to_owned())),
        "{sent}"
    );
}

#[tokio::test]
async fn what_the_signature_and_the_content_do_not_allow() {
    let hub = hub(Default::default()).await;
    let refused = |r: (StatusCode, Value), want: StatusCode| {
        assert_eq!(r.0, want, "{}", r.1);
        assert_eq!(r.1["status"], "FAIL");
    };
    // A signed value that is not the header sent, a wrong secret, an unknown systemId, a
    // timestamp outside the window (an hour old, an hour ahead).
    let mut c = Call::new("/getReceivedEdocList", "sys-b").param("messagetype", "edoc");
    c.tamper = Some(("messagetype", "status"));
    refused(c.run(&hub).await, StatusCode::UNAUTHORIZED);
    let mut c = Call::new("/getReceivedEdocList", "sys-b");
    c.secret = "not-the-secret";
    refused(c.run(&hub).await, StatusCode::UNAUTHORIZED);
    refused(
        Call::new("/getReceivedEdocList", "sys-nobody")
            .run(&hub)
            .await,
        StatusCode::UNAUTHORIZED,
    );
    for shift in [-3_600_000, 3_600_000] {
        let mut c = Call::new("/getReceivedEdocList", "sys-b");
        c.at_ms += shift;
        refused(c.run(&hub).await, StatusCode::UNAUTHORIZED);
    }
    // A body that is not the signed hash-file is not stored.
    let mut other = PACKAGE.to_vec();
    other[100] ^= 1;
    refused(
        Call::send_package("/sendEdoc", "sys-g22", PACKAGE, other)
            .run(&hub)
            .await,
        StatusCode::BAD_REQUEST,
    );
    // H41's credentials cannot send G22's package (From/OrganId), nor B a status From H34
    // about a document it never received.
    refused(
        Call::send_package("/sendEdoc", "sys-h41", PACKAGE, PACKAGE.to_vec())
            .run(&hub)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let (s, body) = Call::send_package("/sendEdoc", "sys-b", STATUS, STATUS.to_vec())
        .run(&hub)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    assert!(hub.store.inbox(B, 0, 10).await.unwrap().is_empty());
    assert!(hub.store.inbox(H41, 0, 10).await.unwrap().is_empty());
    // Agencies are the operator's business.
    refused(
        Call::new("/registerAgency", "sys-g22").run(&hub).await,
        StatusCode::FORBIDDEN,
    );
}

#[tokio::test]
async fn limits_are_those_of_v1() {
    let hub = hub(vanthu_hub::Config {
        max_package_bytes: 1000,
        auth_limits: AuthLimits {
            max_failures: 3,
            ..AuthLimits::default()
        },
        ..Default::default()
    })
    .await;
    let (s, _) = Call::send_package("/sendEdoc", "sys-g22", PACKAGE, PACKAGE.to_vec())
        .run(&hub)
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let mut last = StatusCode::OK;
    for _ in 0..4 {
        let mut c = Call::new("/getReceivedEdocList", "sys-b");
        c.secret = "guess";
        last = c.run(&hub).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
