//! daemonlab's core: a deterministic simulation of the Kubernetes API server, the
//! DaemonSet controller, the scheduler and the kubelets. No browser dependency;
//! the CLI and the web front end both drive it. See ARCHITECTURE.md for a map.

pub mod api;
pub mod controllers;
pub mod decision;
pub mod explain;
pub mod metrics;
pub mod scheduling;
pub mod sim;
pub mod view;

/// Manifests the playground opens with, and its gallery of lessons.
pub mod samples {
    /// Three nodes (one a tainted control plane) and a DaemonSet.
    pub const STARTER: &str = include_str!("../samples/starter.yaml");
    /// What the starter shows, and the first thing to try with it.
    pub const STARTER_LESSON: &str = "Three nodes: a control plane whose taint keeps ordinary pods away, and two workers. The node-exporter DaemonSet runs one pod on each worker, none on the control plane. Try: uncomment the toleration at the end of the editor's text and press Apply; the control plane gets its pod.";

    /// A ready-made scenario: its manifests and what to try with them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Scenario {
        pub id: &'static str,
        pub title: &'static str,
        /// Two or three sentences: what it shows and what to try.
        pub lesson: &'static str,
        pub yaml: &'static str,
    }

    macro_rules! scenario {
        ($id:literal, $title:literal, $lesson:literal) => {
            Scenario {
                id: $id,
                title: $title,
                lesson: $lesson,
                yaml: include_str!(concat!("../samples/gallery/", $id, ".yaml")),
            }
        };
    }

    /// One scenario for each lesson of the pages daemonlab teaches from.
    pub const GALLERY: &[Scenario] = &[
        scenario!("every-node", "node-exporter on every node",
            "A DaemonSet has no replicas: it runs one pod on each node it may run on. Add a node and watch a pod follow; delete one and its pod goes with it. The control plane gets none: its taint is not tolerated."),
        scenario!("tolerate-all", "Control-plane taint and tolerate-all",
            "picky-agent skips the tainted control plane; everywhere-agent tolerates every taint with a bare operator: Exists. Taint a worker with gpu=true:NoSchedule and see which agent stays."),
        scenario!("disk-ssd", "A disk=ssd nodeSelector",
            "Only nodes labelled disk=ssd get the agent. Label worker-2 disk=ssd and a pod appears; remove the label from worker-1 (disk-) and its pod is deleted."),
        scenario!("gpu-affinity", "GPU-only nodes via node affinity",
            "Required node affinity with In and DoesNotExist: gpu-1 (nvidia) runs the exporter, gpu-2 (intel) does not. Open a node's reason, then label gpu-2 gpu=amd."),
        scenario!("node-down", "A node goes down: not-ready and unreachable",
            "Take worker-2's kubelet down and play: it turns NotReady and gets the unreachable taints. 300 s later the web pod is marked for deletion, and stays Terminating until the kubelet is back to confirm it stopped. The daemon pod tolerates the taints for ever."),
        scenario!("rolling-update", "RollingUpdate with maxUnavailable",
            "Set the image to fluent/fluent-bit:3.0 and play at 5×: at most two nodes at a time are without an available pod, and each batch waits minReadySeconds. Watch the chart."),
        scenario!("max-surge", "maxSurge with and without hostPort",
            "Set a new image on both: surge-agent starts each new pod before its old one stops. port-agent's new pod cannot share the host port with the old one, stays Pending, and the rollout stalls."),
        scenario!("on-delete", "OnDelete updates",
            "Set a new image: nothing is replaced. Delete one pod (kubectl delete pod NAME) and only that node gets the new revision; UP-TO-DATE counts how many you have done."),
        scenario!("stuck-rollout", "A rollout stuck on a missing image, and its rollback",
            "Set the image to busybox:missing and play: the first new pod goes to ImagePullBackOff and the rollout stops there. kubectl rollout status waits; Undo brings the old image back."),
        scenario!("resource-pressure", "Resource pressure: a Pending daemon pod",
            "small-node has 1 CPU and a batch job already asks for 800m: the agent's pod there stays Pending. Its reason and kubectl describe pod show the scheduler's message; delete batch-job and it runs."),
        scenario!("preemption", "PriorityClass preemption",
            "The same full node, but the agent's PriorityClass outranks the batch job: the scheduler preempts the job to make room. Read the Preempted event."),
        scenario!("drain", "Drain with and without --ignore-daemonsets",
            "kubectl drain worker-1 refuses: a DaemonSet pod and a bare pod are there. Add --ignore-daemonsets --force and the web pod is evicted, the daemon pod stays, and the node is cordoned."),
    ];
}
