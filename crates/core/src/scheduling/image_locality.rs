//! The `ImageLocality` score: nodes that already hold the pod's images score
//! higher, by the images' sizes and how widely they are spread
//! (`imagelocality/image_locality.go`). Images are read from the node's
//! `status.images`, as the kubelet reports them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use super::MAX_NODE_SCORE;
use crate::api::store::Store;

const MB: i64 = 1024 * 1024;
/// Below this, an image's score is 0: too small to matter.
const MIN_THRESHOLD: i64 = 23 * MB;
/// Per container, the size at which the score is full.
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// `normalizedImageName`: a name without a tag gets `:latest`.
pub fn normalized(name: &str) -> String {
    if name.rfind(':').map_or(-1, |i| i as isize) <= name.rfind('/').map_or(-1, |i| i as isize) {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// Each image name a node reports, with its size.
fn images(node: &Node) -> impl Iterator<Item = (&str, i64)> {
    node.status
        .as_ref()
        .and_then(|s| s.images.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|image| {
            let size = image.size_bytes.unwrap_or(0);
            image
                .names
                .iter()
                .flatten()
                .map(move |name| (name.as_str(), size))
        })
}

/// `calculatePriority`: the summed image scores clamped between the thresholds
/// and scaled to 0–100.
fn priority(sum: i64, containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * containers as i64;
    if max <= MIN_THRESHOLD {
        return 0;
    }
    let sum = sum.clamp(MIN_THRESHOLD, max);
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

/// The score of each of `nodes` for `pod`. An image's size counts in
/// proportion to the share of all the cluster's nodes that hold it.
pub fn scores(store: &Store, pod: &Pod, nodes: &[&Node]) -> Vec<i64> {
    let Some(spec) = pod.spec.as_ref() else {
        return vec![0; nodes.len()];
    };
    let wanted: Vec<String> = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .map(|c| normalized(c.image.as_deref().unwrap_or("")))
        .collect();
    // How many of all nodes hold each wanted image (`ImageStateSummary.NumNodes`).
    let mut spread: BTreeMap<&str, i64> = BTreeMap::new();
    let all = store.nodes().count() as i64;
    for node in store.nodes() {
        let mut seen: Vec<&str> = images(node)
            .filter(|(name, _)| wanted.iter().any(|w| w == name))
            .map(|(name, _)| name)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for name in seen {
            *spread.entry(name).or_default() += 1;
        }
    }
    nodes
        .iter()
        .map(|node| {
            let sizes: BTreeMap<&str, i64> = images(node).collect();
            let sum: i64 = wanted
                .iter()
                .filter_map(|w| {
                    let size = *sizes.get(w.as_str())?;
                    let holders = *spread.get(w.as_str())?;
                    Some((size as f64 * (holders as f64 / all.max(1) as f64)) as i64)
                })
                .sum();
            priority(sum, wanted.len())
        })
        .collect()
}
