//! The garbage collector and the namespace controller: objects whose owner is
//! gone are deleted, and so is everything in a namespace that is gone.

use std::collections::BTreeSet;

use crate::api::store::Store;
use crate::api::Kind;

/// Deletes every object whose owner references all point at objects that no
/// longer exist, and every namespaced object whose namespace no longer exists.
pub fn collect(store: &mut Store) -> bool {
    let live_uids: BTreeSet<String> = Kind::ALL
        .iter()
        .flat_map(|k| store.list(*k))
        .filter_map(|o| o.metadata().uid.clone())
        .collect();
    let garbage: Vec<(Kind, String, String)> = Kind::ALL
        .iter()
        .flat_map(|k| store.list(*k))
        .filter(|o| {
            let owners = o.metadata().owner_references.as_deref().unwrap_or_default();
            let orphaned = !owners.is_empty() && owners.iter().all(|r| !live_uids.contains(&r.uid));
            let namespace_gone = o.kind().namespaced() && store.namespace(o.namespace()).is_none();
            orphaned || namespace_gone
        })
        .map(|o| (o.kind(), o.namespace().to_string(), o.name().to_string()))
        .collect();
    for (kind, namespace, name) in &garbage {
        store.remove(*kind, namespace, name);
    }
    !garbage.is_empty()
}
