//! Tra cứu: the advanced search over both registers, with the filters of `vanthu search`
//! (`vanthu_registry::SearchQuery`) and the subject split into pieces with the matched
//! words marked by the search's own folding rule (`vanthu_domain::text::mark_matches`).
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use vanthu_domain::text::{excerpt, mark_matches};
use vanthu_registry::{Register, SearchHit, SearchQuery};

use crate::commands::opt_date;
use crate::dto::{Secrecy, Urgency};
use crate::error::CommandError;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

/// Which register a search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    Incoming,
    Outgoing,
}

/// The Tra cứu form; empty fields do not filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchForm {
    /// Words (also in the attachments' PDF text); diacritics and case are ignored.
    pub text: String,
    pub register: Option<RegisterKind>,
    /// Cơ quan ban hành: code or exact name.
    pub sender: Option<String>,
    /// Loại văn bản: name or abbreviation.
    pub doc_type: Option<String>,
    /// yyyy-mm-dd, inclusive, on ngày đến (incoming) or ngày ban hành (outgoing).
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// A state name (registered, assigned, issued…).
    pub state: Option<String>,
    pub urgency: Option<Urgency>,
    pub secrecy: Option<Secrecy>,
    /// Đơn vị, người xử lý (contains).
    pub handler: Option<String>,
    pub cursor: Option<String>,
    pub limit: u32,
}

/// One document found.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchRow {
    pub id: u32,
    pub register: RegisterKind,
    /// "M11" in the secret series, "Số tạm …", "—".
    pub number_label: String,
    pub notation: String,
    /// Trích yếu in pieces, the matched words marked.
    pub subject: Vec<Piece>,
    /// When the words are not in the trích yếu: where the attachments' text has them.
    pub excerpt: Option<Vec<Piece>>,
    pub sender: Option<String>,
    /// yyyy-mm-dd: ngày đến (incoming) or ngày ban hành (outgoing).
    pub date: Option<String>,
    pub doc_type: String,
    pub state_label: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
}

/// A piece of a text; `hit` when it is a word the search matched.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub rows: Vec<SearchRow>,
    pub next_cursor: Option<String>,
}

fn text(field: Option<String>) -> Option<String> {
    field.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl SearchForm {
    fn to_query(&self) -> Res<SearchQuery> {
        Ok(SearchQuery {
            text: self.text.clone(),
            register: self.register.map(|r| match r {
                RegisterKind::Incoming => Register::Incoming,
                RegisterKind::Outgoing => Register::Outgoing,
            }),
            doc_type: text(self.doc_type.clone()),
            sender: text(self.sender.clone()),
            state: text(self.state.clone()),
            urgency: self.urgency.map(Into::into),
            secrecy: self.secrecy.map(Into::into),
            handler: text(self.handler.clone()),
            date_from: opt_date("Từ ngày", self.date_from.clone())?,
            date_to: opt_date("Đến ngày", self.date_to.clone())?,
            limit: self.limit as usize,
            cursor: self.cursor.clone(),
            ..Default::default()
        })
    }
}

fn pieces(marked: Vec<vanthu_domain::text::Marked>) -> Vec<Piece> {
    marked
        .into_iter()
        .map(|m| Piece {
            text: m.text,
            hit: m.hit,
        })
        .collect()
}

/// Characters of PDF text shown around the first match.
const EXCERPT_WIDTH: usize = 160;

fn row(h: &SearchHit, words: &str, body: impl FnOnce() -> Option<String>) -> SearchRow {
    let subject = pieces(mark_matches(&h.subject, words));
    // Found by its attachments' text only: show where, so the clerk sees why it matched.
    let excerpt = (!words.trim().is_empty() && !subject.iter().any(|p| p.hit))
        .then(body)
        .flatten()
        .and_then(|t| excerpt(&t, words, EXCERPT_WIDTH))
        .map(pieces);
    let (register, date) = match h.register {
        Register::Incoming => (RegisterKind::Incoming, h.arrival_date),
        Register::Outgoing => (RegisterKind::Outgoing, h.date),
    };
    SearchRow {
        id: u32::try_from(h.id).unwrap_or(u32::MAX),
        register,
        number_label: h.number_label(),
        notation: h.notation.clone(),
        subject,
        excerpt,
        sender: h.sender.clone(),
        date: date.map(|d| d.to_string()),
        doc_type: h.doc_type.clone(),
        state_label: h.state_label.clone(),
        urgency: h.urgency.into(),
        secrecy: h.secrecy.into(),
    }
}

/// A state the Tra cứu form offers, with the register it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StateOption {
    pub register: RegisterKind,
    pub value: String,
    pub label: String,
}

/// Every state of both registers, from the domain's enums (the labels the lists show).
#[tauri::command]
#[specta::specta]
pub fn search_states() -> Vec<StateOption> {
    use vanthu_domain::{IncomingState, OutgoingState};
    let incoming = IncomingState::ALL.iter().map(|s| StateOption {
        register: RegisterKind::Incoming,
        value: s.as_str().into(),
        label: s.label_vi().into(),
    });
    let outgoing = OutgoingState::ALL.iter().map(|s| StateOption {
        register: RegisterKind::Outgoing,
        value: s.as_str().into(),
        label: s.label_vi().into(),
    });
    incoming.chain(outgoing).collect()
}

#[tauri::command(async)]
#[specta::specta]
pub fn search_documents(state: State<'_, AppState>, form: SearchForm) -> Res<SearchResults> {
    let query = form.to_query()?;
    let reg = state.registry.lock().unwrap_or_else(|e| e.into_inner());
    let page = reg.search(&query)?;
    Ok(SearchResults {
        rows: page
            .hits
            .iter()
            .map(|h| row(h, &form.text, || reg.body_text(h.id).ok().flatten()))
            .collect(),
        next_cursor: page.next_cursor,
    })
}
