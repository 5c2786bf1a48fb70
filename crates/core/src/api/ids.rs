//! Seeded identifiers: object UIDs and `generateName` suffixes. The same seed
//! gives the same names, so runs repeat exactly.

/// The alphabet the API server draws `generateName` suffixes from (no vowels, no
/// look-alike characters), as `k8s.io/apimachinery/pkg/util/rand` does.
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
const SUFFIX_LEN: usize = 5;
/// `generateName` prefixes are cut to this length before the suffix is added.
const MAX_GENERATED_PREFIX: usize = 58;

#[derive(Clone, Debug)]
pub struct Ids {
    state: u64,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Ids { state: seed }
    }

    /// SplitMix64: small, fast and identical on every target.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A version-4 UUID, as the API server gives every object.
    pub fn uid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }

    /// `generateName` completed: the prefix (cut to 58 characters) plus 5 random characters.
    pub fn generate_name(&mut self, prefix: &str) -> String {
        let cut = prefix.get(..MAX_GENERATED_PREFIX).unwrap_or(prefix);
        let mut name = String::with_capacity(cut.len() + SUFFIX_LEN);
        name.push_str(cut);
        for _ in 0..SUFFIX_LEN {
            let i = (self.next_u64() % SUFFIX_ALPHABET.len() as u64) as usize;
            name.push(char::from(SUFFIX_ALPHABET[i]));
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_names() {
        let mut a = Ids::new(7);
        let mut b = Ids::new(7);
        assert_eq!(a.generate_name("fluentd-"), b.generate_name("fluentd-"));
        assert_eq!(a.uid(), b.uid());
    }

    #[test]
    fn generated_names_look_like_kubernetes_ones() {
        let mut ids = Ids::new(1);
        let name = ids.generate_name("node-agent-");
        assert_eq!(name.len(), "node-agent-".len() + 5);
        assert!(name["node-agent-".len()..]
            .bytes()
            .all(|b| SUFFIX_ALPHABET.contains(&b)));
        let long = ids.generate_name(&"x".repeat(70));
        assert_eq!(long.len(), 63);
        let uid = ids.uid();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
    }
}
