//! Events, as client-go's recorder writes them: one Event object per distinct
//! (source, object, type, reason, message), its count and lastTimestamp bumped
//! when it happens again.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Ctx;
use crate::api::store::Store;
use crate::api::{Kind, Object};

/// Who an event is about: an object of `kind` with metadata `meta`.
pub fn reference(kind: Kind, meta: &ObjectMeta) -> ObjectReference {
    ObjectReference {
        api_version: Some(kind.api_version().to_string()),
        kind: Some(kind.name().to_string()),
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        uid: meta.uid.clone(),
        resource_version: meta.resource_version.clone(),
        field_path: None,
    }
}

/// Who reports an event: a component, and its node for kubelets.
#[derive(Clone, Copy, Debug)]
pub struct Reporter<'a> {
    pub component: &'a str,
    pub host: Option<&'a str>,
}

impl<'a> Reporter<'a> {
    pub fn component(component: &'a str) -> Self {
        Reporter {
            component,
            host: None,
        }
    }
}

/// Records an event a workload controller (`component`) writes about an
/// object of `kind` it manages.
#[allow(clippy::too_many_arguments)]
pub fn record_about(
    store: &mut Store,
    ctx: &mut Ctx,
    kind: Kind,
    meta: &ObjectMeta,
    component: &str,
    type_: &str,
    reason: &str,
    message: String,
) {
    record(
        store,
        ctx,
        reference(kind, meta),
        type_,
        reason,
        message,
        Reporter::component(component),
    );
}

/// Records an event from `by`.
pub fn record(
    store: &mut Store,
    ctx: &mut Ctx,
    involved: ObjectReference,
    type_: &str,
    reason: &str,
    message: String,
    by: Reporter,
) {
    let Reporter { component, host } = by;
    // Events about cluster-scoped objects (nodes) live in `default`.
    let namespace = involved
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let now = ctx.now.clone();
    let probe = Event {
        metadata: ObjectMeta {
            namespace: Some(namespace.clone()),
            ..Default::default()
        },
        involved_object: involved.clone(),
        reason: Some(reason.to_string()),
        message: Some(message.clone()),
        type_: Some(type_.to_string()),
        source: Some(EventSource {
            component: Some(component.to_string()),
            host: None,
        }),
        ..Default::default()
    };
    let same = store.same_event(&probe).cloned();
    if let Some(mut event) = same {
        event.count = Some(event.count.unwrap_or(1) + 1);
        event.last_timestamp = Some(now);
        store.put(Object::from(event));
        return;
    }
    let stamp = u64::try_from(now.0.as_nanosecond()).unwrap_or(0);
    let base = involved.name.clone().unwrap_or_default();
    let name = store.fresh_event_name(&namespace, &base, stamp);
    let event = Event {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            uid: Some(ctx.ids.uid()),
            creation_timestamp: Some(now.clone()),
            ..Default::default()
        },
        involved_object: involved,
        reason: Some(reason.to_string()),
        message: Some(message),
        type_: Some(type_.to_string()),
        source: Some(EventSource {
            component: Some(component.to_string()),
            host: host.map(str::to_string),
        }),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        reporting_component: Some(component.to_string()),
        reporting_instance: Some(host.unwrap_or(component).to_string()),
        ..Default::default()
    };
    store.put(Object::from(event));
}
