//! The Endpoints and EndpointSlice controllers (`pkg/controller/endpoint`,
//! `pkg/controller/endpointslice`): for every Service with a selector, the
//! addresses of the pods it selects (ready ones apart from the rest), on the
//! ports its target ports name. One EndpointSlice per Service: the simulation
//! never reaches the 100 endpoints that split a slice.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
    ServicePort,
};
use k8s_openapi::api::discovery::v1::{
    Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{is_pod_ready, pod_node_name, Ctx, Cursor};
use crate::api::server::create_generated_object;
use crate::api::store::{Store, WatchEventType};
use crate::api::{Kind, Object, Served};

const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
const MANAGED_BY: &str = "endpointslice-controller.k8s.io";

#[derive(Clone, Debug, Default)]
pub struct EndpointsState {
    cursor: Cursor,
}

impl EndpointsState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// The EndpointSlices of the Service `namespace/name`.
pub fn slices_of<'a>(
    store: &'a Store,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a EndpointSlice> + 'a {
    store
        .list_namespace(Kind::EndpointSlice, namespace)
        .filter_map(EndpointSlice::of)
        .filter(move |s| {
            s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .is_some_and(|n| n == name)
        })
}

/// The container port a Service port's `targetPort` names, or its number.
fn target_port(pod: &Pod, port: &ServicePort) -> Option<i32> {
    match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port),
    }
}

fn pod_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".to_string()),
        name: pod.metadata.name.clone(),
        namespace: pod.metadata.namespace.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

/// The pods a Service selects that have an address, not being deleted.
fn selected<'a>(store: &'a Store, service: &'a Service) -> Vec<&'a Pod> {
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.clone()) else {
        return Vec::new();
    };
    store
        .list_namespace(Kind::Pod, &namespace)
        .filter_map(Pod::of)
        .filter(|p| {
            let labels = p.metadata.labels.clone().unwrap_or_default();
            selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                && p.metadata.deletion_timestamp.is_none()
                && p.status
                    .as_ref()
                    .and_then(|s| s.pod_ip.as_deref())
                    .is_some_and(|ip| !ip.is_empty())
        })
        .collect()
}

fn pod_ip(pod: &Pod) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default()
}

/// A Service port as a pod serves it: name, container port, protocol.
type ResolvedPort = (Option<String>, i32, String);

/// The Endpoints object the Service should have.
fn endpoints_for(service: &Service, pods: &[&Pod]) -> Endpoints {
    let ports = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    let mut subsets: Vec<EndpointSubset> = Vec::new();
    // Pods whose target ports resolve alike share a subset.
    let mut by_ports: BTreeMap<Vec<ResolvedPort>, (Vec<EndpointAddress>, Vec<EndpointAddress>)> =
        BTreeMap::new();
    for pod in pods {
        let resolved: Vec<ResolvedPort> = ports
            .iter()
            .filter_map(|p| {
                Some((
                    p.name.clone(),
                    target_port(pod, p)?,
                    p.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
                ))
            })
            .collect();
        let address = EndpointAddress {
            ip: pod_ip(pod),
            node_name: pod_node_name(pod).map(str::to_string),
            target_ref: Some(pod_ref(pod)),
            hostname: None,
        };
        let entry = by_ports.entry(resolved).or_default();
        if is_pod_ready(pod) {
            entry.0.push(address);
        } else {
            entry.1.push(address);
        }
    }
    for (ports, (mut ready, mut not_ready)) in by_ports {
        ready.sort_by(|a, b| a.ip.cmp(&b.ip));
        not_ready.sort_by(|a, b| a.ip.cmp(&b.ip));
        subsets.push(EndpointSubset {
            addresses: (!ready.is_empty()).then_some(ready),
            not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
            ports: Some(
                ports
                    .into_iter()
                    .map(|(name, port, protocol)| EndpointPort {
                        name,
                        port,
                        protocol: Some(protocol),
                        app_protocol: None,
                    })
                    .collect(),
            ),
        });
    }
    Endpoints {
        metadata: ObjectMeta {
            name: service.metadata.name.clone(),
            namespace: service.metadata.namespace.clone(),
            labels: service.metadata.labels.clone(),
            ..Default::default()
        },
        subsets: (!subsets.is_empty()).then_some(subsets),
    }
}

/// The endpoints and ports of the Service's slice.
fn slice_contents(service: &Service, pods: &[&Pod]) -> (Vec<Endpoint>, Vec<SlicePort>) {
    let ports = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    let endpoints = pods
        .iter()
        .map(|pod| {
            let ready = is_pod_ready(pod);
            Endpoint {
                addresses: vec![pod_ip(pod)],
                conditions: Some(EndpointConditions {
                    ready: Some(ready),
                    serving: Some(ready),
                    terminating: Some(false),
                }),
                node_name: pod_node_name(pod).map(str::to_string),
                target_ref: Some(pod_ref(pod)),
                ..Default::default()
            }
        })
        .collect();
    let slice_ports = ports
        .iter()
        .map(|p| SlicePort {
            name: Some(p.name.clone().unwrap_or_default()),
            port: pods.first().and_then(|pod| target_port(pod, p)),
            protocol: Some(p.protocol.clone().unwrap_or_else(|| "TCP".to_string())),
            app_protocol: None,
        })
        .collect();
    (endpoints, slice_ports)
}

fn sync_service(store: &mut Store, service: &Service, ctx: &mut Ctx) -> bool {
    let pods = selected(store, service);
    let wanted = endpoints_for(service, &pods);
    let (endpoints, ports) = slice_contents(service, &pods);
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    let name = service.metadata.name.clone().unwrap_or_default();
    let mut changed = false;
    match store
        .get(Kind::Endpoints, &namespace, &name)
        .and_then(|o| Endpoints::of(o))
    {
        Some(current) if current.subsets == wanted.subsets => {}
        Some(current) => {
            let mut updated = current.clone();
            updated.subsets = wanted.subsets;
            store.put(Object::from(updated));
            changed = true;
        }
        None => {
            changed |= create_generated_object(store, Object::from(wanted), &mut ctx.env()).is_ok();
        }
    }
    let existing = slices_of(store, &namespace, &name).next().cloned();
    let endpoints = (!endpoints.is_empty()).then_some(endpoints);
    match existing {
        Some(slice) if slice.endpoints == endpoints && slice.ports.as_ref() == Some(&ports) => {}
        Some(mut slice) => {
            slice.endpoints = endpoints;
            slice.ports = Some(ports);
            store.put(Object::from(slice));
            changed = true;
        }
        None => {
            let mut labels = service.metadata.labels.clone().unwrap_or_default();
            labels.insert(SERVICE_NAME_LABEL.to_string(), name.clone());
            labels.insert(MANAGED_BY_LABEL.to_string(), MANAGED_BY.to_string());
            let slice = EndpointSlice {
                metadata: ObjectMeta {
                    generate_name: Some(format!("{name}-")),
                    namespace: Some(namespace.clone()),
                    labels: Some(labels),
                    owner_references: Some(vec![OwnerReference {
                        api_version: "v1".to_string(),
                        kind: "Service".to_string(),
                        name: name.clone(),
                        uid: service.metadata.uid.clone().unwrap_or_default(),
                        controller: Some(true),
                        block_owner_deletion: Some(true),
                    }]),
                    ..Default::default()
                },
                address_type: "IPv4".to_string(),
                endpoints,
                ports: Some(ports),
            };
            changed |= create_generated_object(store, Object::from(slice), &mut ctx.env()).is_ok();
        }
    }
    changed
}

/// Syncs the Services with a selector in namespaces whose pods or Services
/// changed.
pub fn sync_all(store: &mut Store, state: &mut EndpointsState, ctx: &mut Ctx) -> bool {
    let unread = state.cursor.unread(store);
    let deleted: Vec<(String, String)> = unread
        .iter()
        .filter(|e| e.kind == Kind::Service && e.type_ == WatchEventType::Deleted)
        .map(|e| e.key.clone())
        .collect();
    let namespaces = state
        .cursor
        .changed_namespaces(store, &[Kind::Pod, Kind::Service]);
    let mut changed = false;
    for namespace in namespaces {
        let services: Vec<Service> = store
            .list_namespace(Kind::Service, &namespace)
            .filter_map(Service::of)
            .filter(|s| s.spec.as_ref().is_some_and(|s| s.selector.is_some()))
            .cloned()
            .collect();
        for service in &services {
            changed |= sync_service(store, service, ctx);
        }
    }
    // A deleted Service's Endpoints go with it (its slices follow their owner).
    for (namespace, name) in deleted {
        if store.get(Kind::Service, &namespace, &name).is_none() {
            changed |= store.remove(Kind::Endpoints, &namespace, &name).is_some();
        }
    }
    state.cursor.catch_up(store);
    changed
}
