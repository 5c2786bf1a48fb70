//! `metav1.Status` answers: the API's errors with their HTTP codes, reasons
//! and details (field causes too), as kubectl reads them back.

use daemonlab_core::api::errors::{ApiError, Reason};
use serde_json::{json, Map, Value};

use crate::Response;

/// The HTTP code the API server sends with a reason.
pub fn code(reason: Reason) -> u16 {
    match reason {
        Reason::BadRequest => 400,
        Reason::Forbidden => 403,
        Reason::NotFound => 404,
        Reason::AlreadyExists => 409,
        Reason::Invalid => 422,
        Reason::TooManyRequests => 429,
        Reason::InternalError => 500,
    }
}

/// A `Status` body.
pub fn body(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut status = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    });
    if let (Some(fields), Some(details)) = (status.as_object_mut(), details) {
        fields.insert("details".to_string(), details);
    }
    if let Some(fields) = status.as_object_mut() {
        fields.insert("code".to_string(), json!(code));
    }
    status
}

/// An [`ApiError`] as the API server sends it. `resource` (`pods`,
/// `daemonsets` with `group`) goes into the details as the server puts the
/// resource there.
pub fn error(error: &ApiError, group: &str, resource: &str) -> Response {
    let code = code(error.reason);
    let mut details = Map::new();
    let name = if error.details.name.is_empty() {
        // NotFound and AlreadyExists name the object in their message.
        error
            .message
            .split('"')
            .nth(1)
            .filter(|_| matches!(error.reason, Reason::NotFound | Reason::AlreadyExists))
            .unwrap_or("")
    } else {
        &error.details.name
    };
    if !name.is_empty() {
        details.insert("name".into(), json!(name));
    }
    if !group.is_empty() {
        details.insert("group".into(), json!(group));
    }
    let kind = if error.details.kind.is_empty() {
        resource
    } else {
        &error.details.kind
    };
    // An Invalid status that names no object (a patch that did not apply)
    // carries no kind either.
    let unnamed_invalid = error.reason == Reason::Invalid && error.details.kind.is_empty();
    if !kind.is_empty() && !unnamed_invalid {
        details.insert("kind".into(), json!(kind));
    }
    if !error.details.causes.is_empty() {
        let causes: Vec<Value> = error
            .details
            .causes
            .iter()
            .map(|cause| {
                json!({
                    "reason": cause.cause_type(),
                    "message": cause.body(),
                    "field": cause.field,
                })
            })
            .collect();
        details.insert("causes".into(), Value::Array(causes));
    }
    Response::json(
        code,
        &body(
            code,
            &error.reason.to_string(),
            &error.message,
            Some(Value::Object(details)),
        ),
    )
}

/// A path the server does not serve.
pub fn not_found_path() -> Response {
    Response::json(
        404,
        &body(
            404,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        ),
    )
}

pub fn method_not_allowed() -> Response {
    Response::json(
        405,
        &body(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            Some(json!({})),
        ),
    )
}

pub fn bad_request(message: &str) -> Response {
    Response::json(400, &body(400, "BadRequest", message, None))
}

/// `415`: a patch type the server does not take.
pub fn unsupported_media_type(content_type: &str) -> Response {
    Response::json(
        415,
        &body(
            415,
            "UnsupportedMediaType",
            &format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {content_type:?})"),
            None,
        ),
    )
}

/// A successful delete of something that is gone at once.
pub fn success(details: Value) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })
}
