//! Custom resources: NAME, a CRD's `additionalPrinterColumns` (JSONPath into
//! the object; priority above 0 means wide), and AGE when the CRD declares no
//! columns of its own.

use daemonlab_core::api::custom::{CustomKind, CustomObject};
use daemonlab_core::api::store::Store;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceColumnDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use super::{columns as fixed, Column, Context};
use crate::jsonpath::Template;

fn printer_columns(kind: CustomKind, store: &Store) -> Vec<CustomResourceColumnDefinition> {
    let version = kind.api_version.rsplit('/').next().unwrap_or("");
    store
        .custom_kinds()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, crd)| {
            crd.spec
                .versions
                .iter()
                .find(|v| v.name == version)?
                .additional_printer_columns
                .clone()
        })
        .unwrap_or_default()
}

pub(super) fn columns(kind: CustomKind, store: &Store) -> Vec<Column> {
    let defined = printer_columns(kind, store);
    if defined.is_empty() {
        return fixed(&["NAME", "AGE"], &[]);
    }
    std::iter::once(Column {
        name: "NAME".to_string(),
        wide: false,
    })
    .chain(defined.iter().map(|c| Column {
        name: c.name.to_uppercase(),
        wide: c.priority.unwrap_or(0) > 0,
    }))
    .collect()
}

pub(super) fn cells(object: &CustomObject, ctx: &Context) -> Vec<String> {
    let name = object.metadata.name.clone().unwrap_or_default();
    let defined = printer_columns(object.kind, ctx.store);
    if defined.is_empty() {
        return vec![name, ctx.age(object.metadata.creation_timestamp.as_ref())];
    }
    let json = object.to_json();
    std::iter::once(name)
        .chain(defined.iter().map(|column| {
            let value = Template::parse(&format!("{{{}}}", column.json_path))
                .ok()
                .and_then(|t| t.render(&json).ok())
                .unwrap_or_default();
            // A date column prints as an age, as the server's table does.
            match column.type_.as_str() {
                "date" => value
                    .parse::<Timestamp>()
                    .map(|t| ctx.age(Some(&Time(t))))
                    .unwrap_or_else(|_| "<unknown>".to_string()),
                _ if value.is_empty() => "<none>".to_string(),
                _ => value,
            }
        }))
        .collect()
}
