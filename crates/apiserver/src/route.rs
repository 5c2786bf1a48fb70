//! Which part of the API a path names: discovery, the version, a resource
//! (a collection, an object, a subresource), or daemonlab's own clock.

use crate::Request;

/// A resource path: `/apis/apps/v1/namespaces/kube-system/daemonsets/agent/status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// Empty for the core group.
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Version,
    /// `/api`: the core group's versions.
    Api,
    /// `/apis`: the other groups.
    Apis,
    /// `/api/v1`, `/apis/apps/v1`: a group version's resources.
    GroupVersion {
        group: String,
        version: String,
    },
    Resource(Target),
    /// `/openapi/v3` and the documents below it.
    OpenApiV3(Vec<String>),
    OpenApiV2,
    Sim,
    NotFound,
}

impl Route {
    pub fn of(request: &Request) -> Route {
        let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["version"] => Route::Version,
            ["api"] => Route::Api,
            ["apis"] => Route::Apis,
            ["daemonlab", "sim"] => Route::Sim,
            ["openapi", "v2"] => Route::OpenApiV2,
            ["openapi", "v3", rest @ ..] => {
                Route::OpenApiV3(rest.iter().map(|s| s.to_string()).collect())
            }
            ["api", version] => Route::GroupVersion {
                group: String::new(),
                version: version.to_string(),
            },
            ["apis", group, version] => Route::GroupVersion {
                group: group.to_string(),
                version: version.to_string(),
            },
            ["api", version, rest @ ..] => resource("", version, rest),
            ["apis", group, version, rest @ ..] => resource(group, version, rest),
            _ => Route::NotFound,
        }
    }
}

/// What follows the group version: `[namespaces/NS/]RESOURCE[/NAME[/SUB]]`.
/// `namespaces/NAME[/status|finalize]` is the namespace itself.
fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    let (namespace, rest) = match rest {
        ["namespaces", namespace, next, more @ ..] if !matches!(*next, "status" | "finalize") => {
            (Some(namespace.to_string()), {
                let mut r = vec![*next];
                r.extend_from_slice(more);
                r
            })
        }
        _ => (None, rest.to_vec()),
    };
    let target = |resource: &str, name: Option<&str>, sub: Option<&str>| {
        Route::Resource(Target {
            group: group.to_string(),
            version: version.to_string(),
            namespace: namespace.clone(),
            resource: resource.to_string(),
            name: name.map(str::to_string),
            subresource: sub.map(str::to_string),
        })
    };
    match rest.as_slice() {
        [resource] => target(resource, None, None),
        [resource, name] => target(resource, Some(name), None),
        [resource, name, sub] => target(resource, Some(name), Some(sub)),
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str) -> Route {
        Route::of(&Request::get(path))
    }

    #[test]
    fn paths_name_collections_objects_and_subresources() {
        let Route::Resource(t) =
            route("/apis/apps/v1/namespaces/kube-system/daemonsets/agent/status")
        else {
            panic!("a resource")
        };
        assert_eq!(
            (
                t.group.as_str(),
                t.namespace.as_deref(),
                t.resource.as_str()
            ),
            ("apps", Some("kube-system"), "daemonsets")
        );
        assert_eq!(
            (t.name.as_deref(), t.subresource.as_deref()),
            (Some("agent"), Some("status"))
        );
        let Route::Resource(t) = route("/api/v1/namespaces/default") else {
            panic!("a namespace")
        };
        assert_eq!(
            (t.namespace, t.resource.as_str(), t.name.as_deref()),
            (None, "namespaces", Some("default"))
        );
        let Route::Resource(t) = route("/api/v1/namespaces/default/status") else {
            panic!("a namespace's status")
        };
        assert_eq!(t.subresource.as_deref(), Some("status"));
        let Route::Resource(t) = route("/api/v1/pods") else {
            panic!("every pod")
        };
        assert_eq!((t.namespace, t.name), (None, None));
        assert_eq!(
            route("/apis/apps/v1"),
            Route::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        assert_eq!(route("/healthz/x/y/z/w/v/u/t"), Route::NotFound);
    }
}
