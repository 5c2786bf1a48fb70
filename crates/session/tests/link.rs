//! Share links: a session shared and opened elsewhere is the same session,
//! and a damaged, hostile or future link is refused with the reason.

use daemonlab_core::samples::STARTER;
use daemonlab_core::view::cluster_view;
use daemonlab_session::link::{decode, encode, open, LinkError, Shared, MAX_LINK_CHARS};
use daemonlab_session::{Action, Done, Session};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn worked_session() -> Session {
    let mut session = Session::default();
    for action in [
        Action::Apply(STARTER.to_string()),
        Action::Settle,
        Action::Advance(1500),
        Action::Run {
            line: "kubectl label node worker-2 disk=ssd".into(),
            heredoc: String::new(),
        },
        Action::Run {
            line: "kubectl apply -f - <<EOF".into(),
            heredoc: "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-3\n".into(),
        },
        Action::Advance(700),
        Action::Advance(12_000),
        Action::Run {
            line: "kubectl set image ds/node-exporter -n kube-system node-exporter=prom/node-exporter:v1.9.0".into(),
            heredoc: String::new(),
        },
        Action::Advance(4_000),
    ] {
        session.act(action);
    }
    session
}

#[test]
fn a_shared_session_opens_as_the_same_cluster_terminal_and_clock() {
    let session = worked_session();
    let shared = Shared {
        editor: "# my edits, not applied\n".to_string(),
        actions: session.journal().to_vec(),
        panels: vec!["cluster".into(), "terminal".into()],
    };
    let fragment = encode(&shared);
    assert!(fragment.starts_with("1."), "{fragment}");
    assert!(fragment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    let opened = decode(&format!("#{fragment}")).expect("opens");
    assert_eq!(opened, shared);
    let (replayed, done) = open(opened.actions).expect("replays");
    assert_eq!(replayed.cluster.now(), session.cluster.now());
    assert_eq!(
        cluster_view(&replayed.cluster),
        cluster_view(&session.cluster)
    );
    assert_eq!(
        replayed.cluster.store().resource_version(),
        session.cluster.store().resource_version()
    );
    // The terminal's answers come back too.
    let said: Vec<String> = done
        .iter()
        .filter_map(|d| match d {
            Done::Ran { output, .. } => Some(output.stdout.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(said[0], "node/worker-2 labeled\n");
    assert_eq!(said[1], "node/worker-3 created\n");
    assert_eq!(said[2], "daemonset.apps/node-exporter image updated\n");
}

#[test]
fn consecutive_ticks_are_one_stretch_of_time() {
    let session = worked_session();
    let waits: Vec<u64> = session
        .journal()
        .iter()
        .filter_map(|a| match a {
            Action::Advance(ms) => Some(*ms),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [1500, 12_700, 4_000]);
}

/// Raw-deflates `json` and writes it as a version-1 fragment, as a hostile
/// page could.
fn forged(json: &str) -> String {
    use base64::Engine;
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
    format!(
        "1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// Whether a refusal is the one expected.
type Expected = fn(&LinkError) -> bool;

#[test]
fn damaged_hostile_and_future_links_are_refused_with_the_reason() {
    let good = encode(&Shared {
        editor: STARTER.to_string(),
        actions: vec![Action::Apply(STARTER.to_string()), Action::Settle],
        panels: Vec::new(),
    });
    let half = &good[..good.len() / 2];
    let mut flipped = good.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    let bomb = {
        use base64::Engine;
        let spaces = vec![b' '; 9 << 20];
        let packed = miniz_oxide::deflate::compress_to_vec(&spaces, 1);
        format!(
            "1.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
        )
    };
    let many = format!(
        r#"{{"editor":"","actions":[{}]}}"#,
        vec![r#"{"settle":true}"#; 10_001].join(",")
    );
    let cases: Vec<(&str, String, Expected)> = vec![
        ("empty", String::new(), |e| *e == LinkError::NoVersion),
        ("only a hash", "#".into(), |e| *e == LinkError::NoVersion),
        ("no version", good[2..].to_string(), |e| {
            *e == LinkError::NoVersion
        }),
        ("a word for a version", format!("v1.{}", &good[2..]), |e| {
            *e == LinkError::NoVersion
        }),
        ("a later version", format!("2.{}", &good[2..]), |e| {
            *e == LinkError::UnknownVersion("2".into())
        }),
        ("version 0", format!("0.{}", &good[2..]), |e| {
            *e == LinkError::UnknownVersion("0".into())
        }),
        (
            "a huge version",
            format!("99999999999999999999.{}", &good[2..]),
            |e| matches!(e, LinkError::UnknownVersion(_)),
        ),
        ("cut in half", half.to_string(), |e| {
            *e == LinkError::Damaged
        }),
        (
            "cut by one character",
            good[..good.len() - 1].to_string(),
            |e| matches!(e, LinkError::Damaged | LinkError::NotBase64),
        ),
        ("one character changed", flipped, |e| {
            matches!(e, LinkError::Damaged | LinkError::BadContent(_))
        }),
        (
            "a space inside",
            format!("{} {}", &good[..10], &good[10..]),
            |e| *e == LinkError::NotBase64,
        ),
        ("percent-encoded", good.replace('-', "%2D"), |e| {
            *e == LinkError::NotBase64
        }),
        ("standard base64 characters", format!("{}+/", good), |e| {
            *e == LinkError::NotBase64
        }),
        ("html", "1.<script>alert(1)</script>".into(), |e| {
            *e == LinkError::NotBase64
        }),
        (
            "too long",
            format!("1.{}", "A".repeat(MAX_LINK_CHARS)),
            |e| matches!(e, LinkError::TooLong(_)),
        ),
        ("a deflate bomb", bomb, |e| *e == LinkError::TooLarge),
        ("not deflate", "1.aGVsbG8gd29ybGQ".into(), |e| {
            *e == LinkError::Damaged
        }),
        ("JSON of another shape", forged(r#"{"yaml":"x"}"#), |e| {
            matches!(e, LinkError::BadContent(_))
        }),
        (
            "an unknown field",
            forged(r#"{"editor":"","actions":[],"eval":"alert(1)"}"#),
            |e| matches!(e, LinkError::BadContent(_)),
        ),
        ("not JSON", forged("apiVersion: v1"), |e| {
            matches!(e, LinkError::BadContent(_))
        }),
        (
            "an action of no known kind",
            forged(r#"{"editor":"","actions":[{"delete":"everything"}]}"#),
            |e| matches!(e, LinkError::BadContent(_)),
        ),
        (
            "a negative wait",
            forged(r#"{"editor":"","actions":[{"advance":-5}]}"#),
            |e| matches!(e, LinkError::BadContent(_)),
        ),
        (
            "a year of waiting",
            forged(r#"{"editor":"","actions":[{"advance":31536000000}]}"#),
            |e| *e == LinkError::TooMuchTime,
        ),
        (
            "waits that overflow",
            forged(r#"{"editor":"","actions":[{"advance":18446744073709551615},{"advance":1}]}"#),
            |e| *e == LinkError::TooMuchTime,
        ),
        ("too many actions", forged(&many), |e| {
            matches!(e, LinkError::TooManyActions(10_001))
        }),
    ];
    assert!(cases.len() >= 20);
    for (what, link, expected) in cases {
        match decode(&link) {
            Ok(_) => panic!("{what}: opened"),
            Err(e) => {
                assert!(expected(&e), "{what}: {e:?}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn a_link_whose_commands_run_the_clock_for_months_stops_with_the_reason() {
    let advance = Action::Run {
        line: "sim advance 24h".into(),
        heredoc: String::new(),
    };
    let link = encode(&Shared {
        editor: String::new(),
        actions: vec![advance; 40],
        panels: Vec::new(),
    });
    let actions = decode(&link).expect("reads").actions;
    assert_eq!(open(actions).err(), Some(LinkError::TooMuchTime));
}

#[test]
fn a_text_that_is_not_yaml_is_not_kept_and_each_action_says_what_it_did() {
    let label = Action::Run {
        line: "kubectl get ns default --no-headers".into(),
        heredoc: String::new(),
    };
    let (session, done) = Session::replay(vec![
        Action::Apply("apiVersion: v1\nkind: [Node\n".into()),
        label.clone(),
    ]);
    assert_eq!(session.journal(), [label]);
    assert!(matches!(&done[0], Done::Applied(outcome) if !outcome.applied));
    assert!(
        matches!(&done[1], Done::Ran { line, output, .. } if line == "kubectl get ns default --no-headers" && output.stdout.starts_with("default"))
    );
}
