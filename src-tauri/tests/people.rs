//! Cài đặt → "Cán bộ và vai trò" (src/people.rs) on a real register: the overview the page
//! shows, the form's save (new and changed), and the registry's refusals reaching the page
//! as they are.
use vanthu_app::people::{overview_of, save_person_in, PersonForm};
use vanthu_registry::Registry;

fn form(id: Option<u32>, name: &str, dept: &str, roles: &[&str], active: bool) -> PersonForm {
    PersonForm {
        id,
        full_name: name.into(),
        position: Some("Chuyên viên".into()),
        department: Some(dept.into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        active,
        desktop: None,
    }
}

#[test]
fn the_page_lists_people_and_who_this_desktop_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(dir.path()).unwrap();
    reg.init_unit("000.00.00.H34", "UBND tỉnh Kon Tum").unwrap();
    let empty = overview_of(&reg).unwrap();
    assert!(empty.people.is_empty() && empty.signed_in.is_none());
    reg.add_department("Văn phòng").unwrap();
    let o = save_person_in(
        &mut reg,
        form(None, "Nguyễn Thị An", "Văn phòng", &["clerk"], true),
    )
    .unwrap();
    let an = o
        .signed_in
        .clone()
        .expect("the first person is signed in at this desk");
    assert_eq!(
        (an.full_name.as_str(), an.roles_label.as_str()),
        ("Nguyễn Thị An", "Văn thư")
    );
    let o = save_person_in(
        &mut reg,
        form(
            None,
            "Trần Thị Bình",
            "",
            &["chuyên viên", "lãnh đạo"],
            true,
        ),
    )
    .unwrap();
    let binh = o
        .people
        .iter()
        .find(|p| p.full_name == "Trần Thị Bình")
        .unwrap();
    assert_eq!(binh.roles, ["handler", "leader"]);
    assert_eq!(binh.department, None, "an empty department field is none");
    assert_eq!(o.departments, ["Văn phòng"]);
    // Taking the last clerk/leader right away is refused, with the registry's words.
    let e = save_person_in(
        &mut reg,
        form(Some(binh.id), "Trần Thị Bình", "", &["handler"], false),
    )
    .map(|_| ())
    .and_then(|_| {
        save_person_in(
            &mut reg,
            form(
                Some(an.id),
                "Nguyễn Thị An",
                "Văn phòng",
                &["handler"],
                true,
            ),
        )
        .map(|_| ())
    })
    .unwrap_err();
    assert!(
        e.to_string().contains("ít nhất một văn thư hoặc lãnh đạo"),
        "{e}"
    );
}
