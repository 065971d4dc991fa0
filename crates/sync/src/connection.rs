//! The transport a desktop's settings name: the vanthu hub's `/v1` or the national axis's
//! VXP API. The CLI and the app run one engine type over either.
use std::path::Path;

use crate::settings::{Protocol, Settings};
use crate::transport::{
    BlockGrant, FetchSink, HttpTransport, HubTransport, OutgoingPackage, RemoteItem,
    TransportError, TransportOptions,
};
use crate::vxp::VxpTransport;

/// One of the transports, chosen by [`Settings::protocol`].
pub enum Connection {
    /// The vanthu hub (`/v1`).
    Hub(HttpTransport),
    /// A VXP axis.
    Vxp(VxpTransport),
}

impl Connection {
    /// The transport for a desktop's settings; `data_dir` keeps what VXP must remember.
    pub fn from_settings(
        settings: &Settings,
        secret: &str,
        data_dir: &Path,
    ) -> Result<Connection, TransportError> {
        match settings.protocol {
            Protocol::Vanthu => HttpTransport::from_settings(settings, secret).map(Connection::Hub),
            Protocol::Vxp => {
                let opts = TransportOptions {
                    ca_file: settings.ca_file.clone(),
                    ..TransportOptions::default()
                };
                let system_id = settings.vxp_system_id.as_deref().unwrap_or("");
                VxpTransport::new(
                    &settings.hub_url,
                    system_id,
                    secret,
                    settings.unit(),
                    data_dir,
                    &opts,
                )
                .map(Connection::Vxp)
            }
        }
    }
}

impl HubTransport for Connection {
    async fn ping(&self) -> Result<(), TransportError> {
        match self {
            Connection::Hub(t) => t.ping().await,
            Connection::Vxp(t) => t.ping().await,
        }
    }

    async fn send(&self, pkg: &OutgoingPackage, body: bytes::Bytes) -> Result<(), TransportError> {
        match self {
            Connection::Hub(t) => t.send(pkg, body).await,
            Connection::Vxp(t) => t.send(pkg, body).await,
        }
    }

    async fn pending(&self, after: i64, limit: u32) -> Result<Vec<RemoteItem>, TransportError> {
        match self {
            Connection::Hub(t) => t.pending(after, limit).await,
            Connection::Vxp(t) => t.pending(after, limit).await,
        }
    }

    async fn fetch(
        &self,
        message_id: &str,
        offset: u64,
        out: &mut dyn FetchSink,
    ) -> Result<(), TransportError> {
        match self {
            Connection::Hub(t) => t.fetch(message_id, offset, out).await,
            Connection::Vxp(t) => t.fetch(message_id, offset, out).await,
        }
    }

    async fn ack(&self, message_id: &str) -> Result<(), TransportError> {
        match self {
            Connection::Hub(t) => t.ack(message_id).await,
            Connection::Vxp(t) => t.ack(message_id).await,
        }
    }

    async fn ack_many(&self, message_ids: &[String]) -> Result<Vec<String>, TransportError> {
        match self {
            Connection::Hub(t) => t.ack_many(message_ids).await,
            Connection::Vxp(t) => t.ack_many(message_ids).await,
        }
    }

    async fn reserve_block(
        &self,
        req: &vanthu_registry::BlockRequest,
    ) -> Result<BlockGrant, TransportError> {
        match self {
            Connection::Hub(t) => t.reserve_block(req).await,
            Connection::Vxp(t) => t.reserve_block(req).await,
        }
    }
}
