//! Who may do what in a unit: the duties the registry checks before it acts, and the roles
//! (văn thư, lãnh đạo, chuyên viên: [`Actor`] without `System`) that hold each. A person may
//! hold several roles; a unit that has not listed its people yet is one desk that does
//! everything (the registry checks nothing until the first person is added).
use crate::Actor;

/// Something only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// Vào sổ văn bản đến (the số đến), or refusing a document on arrival.
    RegisterIncoming,
    /// Cấp số văn bản đi.
    IssueNumber,
    /// Gửi văn bản qua trục.
    SendOverHub,
    /// Ký số với tư cách lãnh đạo (the signer's signature).
    SignAsLeader,
    /// Ký số của cơ quan, tổ chức (the seal, NĐ 30: the văn thư's task).
    SealAsOrganisation,
    /// Phân công xử lý (ý kiến chỉ đạo).
    Assign,
    /// Xử lý văn bản được giao (start, progress, complete).
    Handle,
    /// Khóa sổ cuối năm.
    CloseYear,
    /// Khai báo phòng ban, cán bộ và vai trò.
    ManagePeople,
    /// Khai báo ảnh con dấu của đơn vị và ảnh chữ ký của lãnh đạo (the văn thư keeps the
    /// seal, NĐ 30; a leader may also set their own signature, `registry/sign_images.rs`).
    ManageSignImages,
}

impl Duty {
    /// The roles that hold the duty.
    pub fn roles(self) -> &'static [Actor] {
        match self {
            Duty::RegisterIncoming
            | Duty::IssueNumber
            | Duty::SendOverHub
            | Duty::SealAsOrganisation
            | Duty::CloseYear
            | Duty::ManageSignImages => &[Actor::Clerk],
            Duty::SignAsLeader | Duty::Assign => &[Actor::Leader],
            Duty::Handle => &[Actor::Handler, Actor::Leader],
            Duty::ManagePeople => &[Actor::Clerk, Actor::Leader],
        }
    }

    /// What the duty is, as a refusal names it ("… không có quyền cấp số văn bản").
    pub fn label_vi(self) -> &'static str {
        match self {
            Duty::RegisterIncoming => "vào sổ văn bản đến",
            Duty::IssueNumber => "cấp số văn bản",
            Duty::SendOverHub => "gửi văn bản qua trục",
            Duty::SignAsLeader => "ký số với tư cách lãnh đạo",
            Duty::SealAsOrganisation => "ký số của cơ quan (đóng dấu)",
            Duty::Assign => "phân công xử lý",
            Duty::Handle => "xử lý văn bản",
            Duty::CloseYear => "khóa sổ cuối năm",
            Duty::ManagePeople => "khai báo cán bộ",
            Duty::ManageSignImages => "khai báo ảnh chữ ký, con dấu",
        }
    }

    /// The duty behind a processing step taken as `actor` (`None` for the desktop's own
    /// steps, which no person takes).
    pub fn of_actor(actor: Actor) -> Option<Duty> {
        match actor {
            Actor::System => None,
            Actor::Clerk => Some(Duty::RegisterIncoming),
            Actor::Leader => Some(Duty::Assign),
            Actor::Handler => Some(Duty::Handle),
        }
    }

    /// True when someone holding `roles` may do it.
    pub fn allowed(self, roles: &[Actor]) -> bool {
        self.roles().iter().any(|r| roles.contains(r))
    }
}

/// The roles a person may hold, in the order forms list them.
pub const ROLES: [Actor; 3] = [Actor::Clerk, Actor::Leader, Actor::Handler];

/// Reads a role by its stored name (`clerk`, `leader`, `handler`) or its Vietnamese name
/// (`văn thư`, `lãnh đạo`, `chuyên viên`, any case, with or without diacritics).
pub fn parse_role(s: &str) -> Option<Actor> {
    let folded = crate::text::fold(s.trim());
    let folded = folded.replace(['_', '-'], " ");
    match folded.as_str() {
        "clerk" | "van thu" => Some(Actor::Clerk),
        "leader" | "lanh dao" => Some(Actor::Leader),
        "handler" | "chuyen vien" => Some(Actor::Handler),
        _ => None,
    }
}

/// The stored name of a role.
pub fn role_name(role: Actor) -> &'static str {
    match role {
        Actor::System => "system",
        Actor::Clerk => "clerk",
        Actor::Leader => "leader",
        Actor::Handler => "handler",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_issues_nothing_and_signs_nothing() {
        let handler = [Actor::Handler];
        for d in [
            Duty::RegisterIncoming,
            Duty::IssueNumber,
            Duty::SendOverHub,
            Duty::SignAsLeader,
            Duty::SealAsOrganisation,
            Duty::Assign,
            Duty::CloseYear,
            Duty::ManagePeople,
            Duty::ManageSignImages,
        ] {
            assert!(!d.allowed(&handler), "{d:?}");
        }
        assert!(Duty::Handle.allowed(&handler));
        assert!(Duty::IssueNumber.allowed(&[Actor::Handler, Actor::Clerk]));
        assert!(!Duty::SignAsLeader.allowed(&[Actor::Clerk]));
        assert!(Duty::SignAsLeader.allowed(&[Actor::Leader]));
        assert!(!Duty::ManageSignImages.allowed(&[Actor::Leader]));
        assert!(Duty::ManageSignImages.allowed(&[Actor::Clerk]));
        assert!(!Duty::IssueNumber.allowed(&[]));
    }

    #[test]
    fn roles_read_in_both_languages() {
        assert_eq!(parse_role("Văn thư"), Some(Actor::Clerk));
        assert_eq!(parse_role("lanh-dao"), Some(Actor::Leader));
        assert_eq!(parse_role(" CHUYÊN VIÊN "), Some(Actor::Handler));
        assert_eq!(parse_role("handler"), Some(Actor::Handler));
        assert_eq!(parse_role("system"), None);
        for r in ROLES {
            assert_eq!(parse_role(role_name(r)), Some(r));
        }
    }
}
