//! Server-side printing: `as=Table` answers, with the columns and cells of the
//! API server's printers (always computed wide; priority 1 marks the columns
//! kubectl shows only with `-o wide`) and each row's object as kubectl asked
//! for it (`includeObject`: metadata by default).

use daemonlab_core::api::store::Store;
use daemonlab_core::api::{Kind, Object};
use daemonlab_kubectl::printers::{kind_columns, table};
use k8s_openapi::jiff::Timestamp;
use serde_json::{json, Value};

use crate::Request;

pub const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

/// Does the client ask for a Table?
pub fn wanted(request: &Request) -> bool {
    request
        .header("accept")
        .is_some_and(|accept| accept.contains("as=Table"))
}

/// The object a row carries.
fn row_object(object: &Object, include: &str) -> Option<Value> {
    match include {
        "None" => None,
        "Object" => Some(object.to_json()),
        _ => {
            let metadata = serde_json::to_value(object.metadata()).unwrap_or(Value::Null);
            Some(json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": metadata,
            }))
        }
    }
}

/// A Table of `objects` of `kind`.
pub fn of(
    request: &Request,
    kind: Kind,
    objects: &[&Object],
    store: &Store,
    now: Timestamp,
    list_metadata: Value,
) -> Value {
    let columns = kind_columns(kind, store);
    let (_, rows) = table(kind, objects, store, now, true);
    let definitions: Vec<Value> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            json!({
                "name": column.name,
                "type": "string",
                "format": if i == 0 { "name" } else { "" },
                "description": "",
                "priority": if column.wide { 1 } else { 0 },
            })
        })
        .collect();
    let include = request.param("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = objects
        .iter()
        .zip(rows)
        .map(|(object, cells)| {
            let mut row = json!({ "cells": cells });
            if let (Some(fields), Some(object)) = (row.as_object_mut(), row_object(object, include))
            {
                fields.insert("object".to_string(), object);
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_metadata,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}
