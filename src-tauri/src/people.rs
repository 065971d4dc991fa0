//! Cài đặt → "Cán bộ và vai trò": the unit's departments and people, and who this desktop is
//! signed in as. The rules (who may list people, the first person, the roles each action
//! needs) are the registry's (`vanthu_registry::people`); these commands map arguments and
//! results. The signature image of each lãnh đạo and the unit's seal image (drawn by the Chờ
//! ký signatures) are set here too; who may set them and what a fitting PNG is are the
//! registry's (`vanthu_registry::sign_images`).
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;
use vanthu_registry::{NewPerson, Person, Registry, SignImage};

use crate::commands::CommandError;
use crate::AppState;

type Res<T> = Result<T, CommandError>;

/// A person as Cài đặt lists them.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonRow {
    pub id: u32,
    pub full_name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    /// `clerk` | `leader` | `handler`.
    pub roles: Vec<String>,
    /// "Văn thư, Lãnh đạo".
    pub roles_label: String,
    pub active: bool,
    /// The desktop (`UNIT/DESKTOP`) where the person works, when not this one.
    pub desktop: Option<String>,
    /// The leader's signature image (ảnh chữ ký), if set.
    pub signature: Option<SignImageRow>,
}

/// A signature or seal image as set: its size in pixels.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignImageRow {
    pub width: u32,
    pub height: u32,
}

impl From<&SignImage> for SignImageRow {
    fn from(i: &SignImage) -> Self {
        SignImageRow {
            width: i.width,
            height: i.height,
        }
    }
}

impl From<&Person> for PersonRow {
    fn from(p: &Person) -> PersonRow {
        PersonRow {
            id: p.id as u32,
            full_name: p.full_name.clone(),
            position: p.position.clone(),
            department: p.department.clone(),
            roles: p
                .roles
                .iter()
                .map(|r| vanthu_domain::roles::role_name(*r).to_owned())
                .collect(),
            roles_label: p
                .roles
                .iter()
                .map(|r| r.label_vi())
                .collect::<Vec<_>>()
                .join(", "),
            active: p.active,
            desktop: p.desktop.clone(),
            signature: None,
        }
    }
}

/// The unit's people, its departments and this desktop's person.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PeopleOverview {
    pub departments: Vec<String>,
    pub people: Vec<PersonRow>,
    /// The person this desktop is signed in as.
    pub signed_in: Option<PersonRow>,
    /// The unit's seal image (ảnh con dấu), if set.
    pub seal: Option<SignImageRow>,
}

/// A person as the form gives them; `id` empty for a new one.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonForm {
    pub id: Option<u32>,
    pub full_name: String,
    pub position: Option<String>,
    pub department: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    /// Máy làm việc (`UNIT/DESKTOP`), empty for this desktop.
    pub desktop: Option<String>,
}

fn registry<'a>(state: &'a State<'_, AppState>) -> std::sync::MutexGuard<'a, Registry> {
    state.registry.lock().unwrap_or_else(|e| e.into_inner())
}

/// The overview of `reg`.
pub fn overview_of(reg: &Registry) -> Res<PeopleOverview> {
    Ok(PeopleOverview {
        departments: reg.departments()?.into_iter().map(|d| d.name).collect(),
        people: reg
            .people()?
            .iter()
            .map(|p| {
                let mut row = PersonRow::from(p);
                row.signature = reg.signature_image(p.id)?.as_ref().map(SignImageRow::from);
                Ok(row)
            })
            .collect::<Res<_>>()?,
        signed_in: reg.signed_in()?.as_ref().map(PersonRow::from),
        seal: reg.seal_image()?.as_ref().map(SignImageRow::from),
    })
}

/// Adds or changes a person in `reg`.
pub fn save_person_in(reg: &mut Registry, form: PersonForm) -> Res<PeopleOverview> {
    let new = NewPerson {
        full_name: form.full_name,
        position: form.position,
        department: form.department.filter(|d| !d.trim().is_empty()),
        roles: form.roles,
        desktop: form.desktop.filter(|d| !d.trim().is_empty()),
    };
    match form.id {
        Some(id) => reg.update_person(id.into(), &new, form.active)?,
        None => reg.add_person(&new)?,
    };
    overview_of(reg)
}

#[tauri::command(async)]
#[specta::specta]
pub fn people_overview(state: State<'_, AppState>) -> Res<PeopleOverview> {
    overview_of(&registry(&state))
}

#[tauri::command(async)]
#[specta::specta]
pub fn add_department(state: State<'_, AppState>, name: String) -> Res<PeopleOverview> {
    let mut reg = registry(&state);
    reg.add_department(&name)?;
    overview_of(&reg)
}

#[tauri::command(async)]
#[specta::specta]
pub fn save_person(state: State<'_, AppState>, form: PersonForm) -> Res<PeopleOverview> {
    save_person_in(&mut registry(&state), form)
}

/// Signs this desktop in as `id`, or out.
#[tauri::command(async)]
#[specta::specta]
pub fn sign_in_person(state: State<'_, AppState>, id: Option<u32>) -> Res<PeopleOverview> {
    let mut reg = registry(&state);
    reg.sign_in(id.map(i64::from))?;
    overview_of(&reg)
}

/// The PNG path as typed or dropped; empty means "remove the image".
fn png_path(path: Option<String>) -> Option<std::path::PathBuf> {
    path.map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .map(Into::into)
}

/// Sets (`path`) or removes (`None`) a leader's signature image: the văn thư for anyone, a
/// leader for themself.
#[tauri::command(async)]
#[specta::specta]
pub fn set_signature_image(
    state: State<'_, AppState>,
    person_id: u32,
    path: Option<String>,
) -> Res<PeopleOverview> {
    let mut reg = registry(&state);
    reg.set_signature_image(person_id.into(), png_path(path).as_deref())?;
    overview_of(&reg)
}

/// Sets (`path`) or removes (`None`) the unit's seal image (the văn thư).
#[tauri::command(async)]
#[specta::specta]
pub fn set_seal_image(state: State<'_, AppState>, path: Option<String>) -> Res<PeopleOverview> {
    let mut reg = registry(&state);
    reg.set_seal_image(png_path(path).as_deref())?;
    overview_of(&reg)
}

/// The image to preview as a `data:image/png` URL: a person's signature, or the unit's seal
/// when `person_id` is empty; `None` when none is set. The images are small (checked ≤ 2 MB).
#[tauri::command(async)]
#[specta::specta]
pub fn sign_image_preview(
    state: State<'_, AppState>,
    person_id: Option<u32>,
) -> Res<Option<String>> {
    let reg = registry(&state);
    let image = match person_id {
        Some(id) => reg.signature_image(id.into())?,
        None => reg.seal_image()?,
    };
    let Some(image) = image else {
        return Ok(None);
    };
    let bytes = reg.blobs().read(&image.sha256)?;
    Ok(Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )))
}
