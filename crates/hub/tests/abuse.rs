//! The hub under abuse (docs/hub-api.md, "Limits"): bodies are read only after
//! authentication and never past a cap, slow clients time out, and a flood of bad logins
//! from one address is slowed down without locking out anyone else. Storage is not the
//! point here, so these run on SQLite only.
mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vanthu_hub::limits::AuthLimits;
use vanthu_hub::HubStore;

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

fn basic(code: &str, secret: &str) -> String {
    vanthu_hub::auth::basic_header(code, secret)
}

/// What a raw HTTP/1.1 exchange answered: the status of the final response, and whether
/// the hub asked for the body (`100 Continue`) before it.
struct RawAnswer {
    status: u16,
    continued: bool,
    text: String,
}

/// Sends only the headers of a request announcing `content_length` bytes with
/// `Expect: 100-continue`, and reads what comes back until the hub closes or answers.
/// A hub that wanted the body would first say `100 Continue`; one that refuses without
/// reading it answers at once.
async fn headers_only(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    content_length: u64,
) -> RawAnswer {
    let mut s = tokio::net::TcpStream::connect(host_port(url))
        .await
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: hub\r\nContent-Length: {content_length}\r\nExpect: 100-continue\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // A generous bound so that a hub which waits for the body fails the test instead of
    // hanging it; nothing is asserted about how long the answer took.
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let n = s.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf);
            // The final answer is complete once its JSON body has arrived.
            if text.contains("\r\n\r\n{") && text.trim_end().ends_with('}') {
                break;
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer without the body: the hub waited for it"
    );
    let text = String::from_utf8_lossy(&buf).into_owned();
    let continued = text.starts_with("HTTP/1.1 100");
    let final_line = text
        .split("\r\n")
        .find(|l| l.starts_with("HTTP/1.1 ") && !l.starts_with("HTTP/1.1 100"))
        .unwrap_or_else(|| panic!("no final status line in {text:?}"));
    let status = final_line[9..12].parse().unwrap();
    RawAnswer {
        status,
        continued,
        text,
    }
}

/// The body routes, with a path that exists for each (message `m-1` sent by A to B).
fn body_routes() -> Vec<(&'static str, &'static str)> {
    vec![
        ("/v1/messages", "/v1/messages"),
        ("/v1/messages/{id}/recall", "/v1/messages/m-1/recall"),
        ("/v1/messages/{id}/update", "/v1/messages/m-1/update"),
        ("/v1/messages/{id}/replace", "/v1/messages/m-1/replace"),
        ("/v1/messages/{id}/statuses", "/v1/messages/m-1/statuses"),
        ("/v1/numbering/blocks", "/v1/numbering/blocks"),
    ]
}

fn package(n: usize) -> Vec<u8> {
    let mut s = String::from("<edXML>");
    for i in 0..n {
        s.push_str(&format!("<Line n=\"{i}\">Văn bản số {i}</Line>"));
    }
    s.push_str("</edXML>");
    s.into_bytes()
}

async fn send_original(hub: &TestHub, c: &Client) {
    c.expect(
        Call::new(Method::POST, "/v1/messages", "/v1/messages")
            .auth(A, &hub.secrets[A])
            .header("X-Message-Id", "m-1")
            .header("X-Recipients", B)
            .header("X-Secrecy", "thuong")
            .body(package(3)),
        201,
    )
    .await;
}

/// Everything B can see and every block of A's unit: what an abuse must leave unchanged.
async fn hub_contents(hub: &TestHub) -> (Vec<String>, usize) {
    let inbox = hub
        .store
        .inbox(B, 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.message_id)
        .collect();
    (inbox, hub.store.blocks(A).await.unwrap().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_oversized_body_is_refused_unread() {
    // Many wrong logins below: keep the address-wide lockout out of this test.
    let cfg = vanthu_hub::Config {
        auth_limits: AuthLimits {
            max_failures: 1000,
            ..AuthLimits::default()
        },
        ..Default::default()
    };
    let hub = start_hub(Backend::Sqlite, cfg).await;
    let c = Client::new(&hub.url);
    send_original(&hub, &c).await;
    let before = hub_contents(&hub).await;
    let api = OpenApi::load();
    for (template, path) in body_routes() {
        for auth in [
            None,
            Some(basic(A, "not-the-secret")),
            Some(basic("999.99.99.Z99", "x")),
        ] {
            let mut headers = vec![
                ("X-Message-Id", "big-1".to_owned()),
                ("X-Recipients", B.to_owned()),
                ("X-Secrecy", "thuong".to_owned()),
                ("X-Status-Code", "03".to_owned()),
            ];
            if let Some(a) = &auth {
                headers.push(("Authorization", a.clone()));
            }
            // 10 GB announced: a hub that buffered before authenticating would try.
            let r = headers_only(&hub.url, "POST", path, &headers, 10 << 30).await;
            assert_eq!(r.status, 401, "{path}: {}", r.text);
            assert!(!r.continued, "{path}: the hub asked for the body");
            assert!(r.text.contains("unauthorized"), "{}", r.text);
            assert!(api.documents("POST", template, 401));
        }
    }
    assert_eq!(hub_contents(&hub).await, before);
    assert!(hub.store.message("big-1").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_on_every_route() {
    let cfg = vanthu_hub::Config {
        max_package_bytes: 10_000,
        ..Default::default()
    };
    let hub = start_hub(Backend::Sqlite, cfg).await;
    let c = Client::new(&hub.url);
    send_original(&hub, &c).await;
    let before = hub_contents(&hub).await;
    let api = OpenApi::load();
    // Announced too large: refused before a byte of it is read.
    for (template, path) in body_routes() {
        let who = if template.ends_with("statuses") { B } else { A };
        let headers = vec![
            ("Authorization", basic(who, &hub.secrets[who])),
            ("X-Message-Id", "big-1".to_owned()),
            ("X-Recipients", B.to_owned()),
            ("X-Secrecy", "thuong".to_owned()),
            ("X-Status-Code", "03".to_owned()),
        ];
        let r = headers_only(&hub.url, "POST", path, &headers, 1 << 30).await;
        assert_eq!(r.status, 413, "{path}: {}", r.text);
        assert!(!r.continued, "{path}: the hub asked for the body");
        assert!(r.text.contains("too_large"), "{}", r.text);
        assert!(
            api.documents("POST", template, 413),
            "413 undocumented for {template}"
        );
    }
    // Sent without a length (chunked) and larger than the cap: cut at the cap.
    let chunked = |n: usize| {
        let piece = bytes::Bytes::from(vec![b' '; 4096]);
        let frames =
            (0..n).map(move |_| Ok::<_, std::io::Error>(hyper::body::Frame::data(piece.clone())));
        reqwest::Body::wrap(http_body_util::StreamBody::new(futures_util::stream::iter(
            frames,
        )))
    };
    let http = reqwest::Client::new();
    for (template, path) in body_routes() {
        let who = if template.ends_with("statuses") { B } else { A };
        let resp = http
            .post(format!("{}{path}", hub.url))
            .basic_auth(who, Some(&hub.secrets[who]))
            .header("X-Message-Id", "big-2")
            .header("X-Recipients", B)
            .header("X-Secrecy", "thuong")
            .header("X-Status-Code", "03")
            .header("Content-Type", "application/json")
            .body(chunked(8))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 413, "{path}");
    }
    // The numbering body has its own, smaller cap than packages.
    let big_json = format!(
        "{{\"request_id\":\"r\",\"desktop\":\"VT1\",\"register\":\"incoming\",\"series\":\"normal\",\"year\":2026,\"size\":10,\"pad\":\"{}\"}}",
        " ".repeat(vanthu_hub::server::MAX_BLOCK_REQUEST_BYTES as usize)
    );
    c.expect(
        Call::new(Method::POST, "/v1/numbering/blocks", "/v1/numbering/blocks")
            .auth(A, &hub.secrets[A])
            .header("Content-Type", "application/json")
            .body(big_json),
        413,
    )
    .await;
    assert_eq!(hub_contents(&hub).await, before);
    for id in ["big-1", "big-2"] {
        assert!(hub.store.message(id).await.unwrap().is_none());
    }
    // Within the caps everything still works.
    c.expect(
        Call::new(Method::POST, "/v1/messages", "/v1/messages")
            .auth(A, &hub.secrets[A])
            .header("X-Message-Id", "m-2")
            .header("X-Recipients", B)
            .header("X-Secrecy", "thuong")
            .body(package(50)),
        201,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_or_header_times_out() {
    let cfg = vanthu_hub::Config {
        header_timeout: Duration::from_millis(300),
        body_idle_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let hub = start_hub(Backend::Sqlite, cfg).await;
    let api = OpenApi::load();
    // Headers sent, 10 of the announced 1000 bytes of body, then silence.
    let mut s = tokio::net::TcpStream::connect(host_port(&hub.url))
        .await
        .unwrap();
    let req = format!(
        "POST /v1/messages HTTP/1.1\r\nHost: hub\r\nAuthorization: {}\r\nX-Message-Id: slow-1\r\nX-Recipients: {B}\r\nX-Secrecy: thuong\r\nContent-Length: 1000\r\n\r\n<edXML>...",
        basic(A, &hub.secrets[A])
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(20), s.read_to_string(&mut text))
        .await
        .expect("the hub kept a stalled upload open")
        .ok();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
    assert!(api.documents("POST", "/v1/messages", 408));
    assert!(hub.store.message("slow-1").await.unwrap().is_none());
    // Half a request line, then silence: the connection is closed.
    let mut s = tokio::net::TcpStream::connect(host_port(&hub.url))
        .await
        .unwrap();
    s.write_all(b"GET /v1/inbox HTTP/1.1\r\nHost: hu")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the hub kept a half-sent request open");
    assert!(
        !String::from_utf8_lossy(&rest).contains("200 OK"),
        "{rest:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_logins_is_slowed_down_for_that_address_only() {
    let cfg = vanthu_hub::Config {
        auth_limits: AuthLimits {
            max_failures: 5,
            lockout: Duration::from_secs(600),
            ..AuthLimits::default()
        },
        ..Default::default()
    };
    let hub = start_hub(Backend::Sqlite, cfg).await;
    let api = OpenApi::load();
    let from = |ip: &str| {
        reqwest::Client::builder()
            .local_address(Some(ip.parse().unwrap()))
            .build()
            .unwrap()
    };
    let attacker = from("127.0.0.1");
    let me = |http: &reqwest::Client, secret: &str| {
        http.get(format!("{}/v1/me", hub.url))
            .basic_auth(A, Some(secret))
            .send()
    };
    for i in 0..5 {
        let r = me(&attacker, &format!("guess-{i}")).await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "guess {i}");
    }
    // Locked out: even the right secret waits, and the answer says how long.
    for secret in ["guess-5", hub.secrets[A].as_str()] {
        let r = me(&attacker, secret).await.unwrap();
        assert_eq!(r.status().as_u16(), 429);
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=600).contains(&wait), "Retry-After {wait}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"], "too_many_attempts");
    }
    // The body of a locked-out request is not read either.
    let headers = vec![
        ("Authorization", basic(A, &hub.secrets[A])),
        ("X-Message-Id", "x".to_owned()),
    ];
    let r = headers_only(&hub.url, "POST", "/v1/messages", &headers, 1 << 30).await;
    assert_eq!((r.status, r.continued), (429, false));
    for (method, template) in vanthu_hub::server::ROUTES {
        if *template != "/v1/health" {
            assert!(
                api.documents(method, template, 429),
                "429 undocumented for {method} {template}"
            );
        }
    }
    // The health probe stays open, and another address is not affected.
    let r = attacker
        .get(format!("{}/v1/health", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let other = from("127.0.0.2");
    let r = me(&other, &hub.secrets[A]).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = me(&other, "wrong").await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
