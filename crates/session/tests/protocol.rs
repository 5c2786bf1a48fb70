//! The host-page API: what an embedding page may ask is read strictly, and
//! messages that are not daemonlab's are left alone.

use daemonlab_session::protocol::{message, read, Envelope, Request, MAX_LINE};
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn requests_of_this_version_are_read() {
    let cases = [
        (
            json!({"daemonlab": 1, "id": 7, "type": "load", "yaml": "kind: Node"}),
            Request::Load {
                yaml: "kind: Node".into(),
            },
        ),
        (
            json!({"daemonlab": 1, "id": "a", "type": "run", "line": "kubectl get ds"}),
            Request::Run {
                line: "kubectl get ds".into(),
                stdin: String::new(),
            },
        ),
        (
            json!({"daemonlab": 1, "type": "run", "line": "kubectl apply -f - <<EOF", "stdin": "kind: Node\n"}),
            Request::Run {
                line: "kubectl apply -f - <<EOF".into(),
                stdin: "kind: Node\n".into(),
            },
        ),
        (json!({"daemonlab": 1, "type": "play"}), Request::Play {}),
        (json!({"daemonlab": 1, "type": "pause"}), Request::Pause {}),
        (json!({"daemonlab": 1, "type": "step"}), Request::Step {}),
        (
            json!({"daemonlab": 1, "type": "speed", "value": 20}),
            Request::Speed { value: 20 },
        ),
        (json!({"daemonlab": 1, "type": "reset"}), Request::Reset {}),
    ];
    for (sent, expected) in cases {
        let id = sent.get("id").cloned().unwrap_or(Value::Null);
        assert_eq!(
            read(&sent),
            Some(Ok(Envelope {
                id,
                request: expected
            })),
            "{sent}"
        );
    }
}

#[test]
fn other_pages_messages_are_ignored() {
    for sent in [
        json!("hello"),
        json!(42),
        json!(null),
        json!([1, 2]),
        json!({"type": "load", "yaml": ""}),
        json!({"source": "react-devtools"}),
    ] {
        assert_eq!(read(&sent), None, "{sent}");
    }
}

#[test]
fn ours_but_wrong_is_refused_with_the_reason_and_its_id() {
    let long_line = "x".repeat(MAX_LINE + 1);
    let cases = [
        (
            json!({"daemonlab": 2, "id": 1, "type": "play"}),
            "version 1 of the daemonlab protocol, not 2",
        ),
        (
            json!({"daemonlab": "1", "id": 1, "type": "play"}),
            "not \"1\"",
        ),
        (
            json!({"daemonlab": 1, "id": 1, "type": "eval", "code": "alert(1)"}),
            "unknown variant `eval`",
        ),
        (json!({"daemonlab": 1, "id": 1}), "missing field `type`"),
        (
            json!({"daemonlab": 1, "id": 1, "type": "load"}),
            "missing field `yaml`",
        ),
        (
            json!({"daemonlab": 1, "id": 1, "type": "load", "yaml": 5}),
            "invalid type: integer `5`",
        ),
        (
            json!({"daemonlab": 1, "id": 1, "type": "play", "then": "x"}),
            "unknown field `then`",
        ),
        (
            json!({"daemonlab": 1, "id": 1, "type": "speed", "value": 3}),
            "speed must be one of 1, 5, 20, 100, not 3",
        ),
        (
            json!({"daemonlab": 1, "id": 1, "type": "run", "line": long_line}),
            "line is too long",
        ),
    ];
    for (sent, why) in cases {
        match read(&sent) {
            Some(Err((id, message))) => {
                assert_eq!(id, json!(1), "{sent}");
                assert!(message.contains(why), "{sent}: {message}");
            }
            other => panic!("{sent}: {other:?}"),
        }
    }
    // An id that is not a short string or a number is not echoed back.
    let odd = read(&json!({"daemonlab": 1, "id": {"x": 1}, "type": "nope"}));
    assert!(matches!(odd, Some(Err((Value::Null, _)))));
}

#[test]
fn messages_to_the_host_carry_the_version_and_type() {
    assert_eq!(
        message("output", json!({"line": "kubectl get ds", "exit": 0})),
        json!({"daemonlab": 1, "type": "output", "line": "kubectl get ds", "exit": 0})
    );
}
