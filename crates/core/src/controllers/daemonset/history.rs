//! Revision hashes (`controller.ComputeHash`): FNV-32a of the pod template,
//! printed in decimal and passed through `rand.SafeEncodeString`.

use k8s_openapi::api::core::v1::PodTemplateSpec;

const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The `controller-revision-hash` of a template. Go hashes its own deep dump of
/// the struct, so the value differs from a real cluster's; the format is the same
/// (1–10 characters from `4-9bcdf`), and equal templates get equal hashes.
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut bytes = serde_json::to_vec(template).unwrap_or_default();
    if let Some(count) = collision_count {
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
    }
    fnv32a(&bytes)
        .to_string()
        .bytes()
        .map(|b| char::from(SAFE_ALPHABET[usize::from(b) % SAFE_ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn hashes_use_the_safe_digits_and_follow_the_template() {
        let a = PodTemplateSpec::default();
        let b = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "x".to_string())].into()),
                ..Default::default()
            }),
            spec: None,
        };
        let ha = template_hash(&a, None);
        assert!(!ha.is_empty() && ha.len() <= 10);
        assert!(ha.chars().all(|c| "456789bcdf".contains(c)), "{ha}");
        assert_eq!(ha, template_hash(&a.clone(), None));
        assert_ne!(ha, template_hash(&b, None));
        assert_ne!(ha, template_hash(&a, Some(1)));
    }

    #[test]
    fn fnv_matches_the_reference_vector() {
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
    }
}
